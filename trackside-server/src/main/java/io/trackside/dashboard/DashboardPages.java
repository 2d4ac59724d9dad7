package io.trackside.dashboard;

import io.trackside.collect.HttpErrors;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's pages and their scripts, served from this jar ({@code resources/dashboard/}),
 * and ECharts from its WebJar. Pages need a signed-in session (else a redirect to /login);
 * scripts and styles hold no data and are open, so the sign-in page can load them. Every answer
 * carries a strict Content-Security-Policy: scripts only from here, no inline script, so even an
 * event name that slipped into the page as HTML could not run.
 */
public final class DashboardPages {
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  /** The pages, by path; each is resources/dashboard/&lt;name&gt;.html. */
  static final Map<String, String> PAGES = Map.of(
      "/", "overview", "/live", "live", "/funnels", "funnels", "/ecommerce", "ecommerce",
      "/journeys", "journeys", "/attribution", "attribution", "/quality", "quality");
  private static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.esm.min.js";
  private static final Pattern ASSET = Pattern.compile("[a-z0-9-]+\\.(js|css|svg)");

  private final SignIn signIn;
  /** Resources read once from the jar (a few hundred KB in all). */
  private final Map<String, Optional<Buffer>> cache = new ConcurrentHashMap<>();

  public DashboardPages(SignIn signIn) {
    this.signIn = signIn;
  }

  /** The pages, the sign-in page and /login, /logout. */
  public void mount(Router router) {
    signIn.mount(router);
    PAGES.forEach((path, name) -> router.get(path).handler(ctx -> page(ctx, name)));
    router.get("/login").handler(this::loginPage);
    router.get("/assets/echarts.js").handler(ctx -> serve(ctx, ECHARTS, "text/javascript; charset=utf-8"));
    router.get("/assets/:file").handler(this::asset);
  }

  private void page(RoutingContext ctx, String name) {
    if (signIn.session(ctx) == null) {
      ctx.response().setStatusCode(302).putHeader("Location", "/login").putHeader("Cache-Control", "no-store").end();
      return;
    }
    serve(ctx, "dashboard/" + name + ".html", "text/html; charset=utf-8");
  }

  private void loginPage(RoutingContext ctx) {
    if (signIn.session(ctx) != null) { // signed in already: straight to the dashboard
      ctx.response().setStatusCode(302).putHeader("Location", "/").putHeader("Cache-Control", "no-store").end();
      return;
    }
    serve(ctx, "dashboard/login.html", "text/html; charset=utf-8");
  }

  private void asset(RoutingContext ctx) {
    String file = ctx.pathParam("file");
    if (!ASSET.matcher(file).matches()) { // no dots, no slashes: nothing outside dashboard/assets/
      HttpErrors.send(ctx, 404, "not_found", "no such file");
      return;
    }
    String type = file.endsWith(".js") ? "text/javascript; charset=utf-8"
        : file.endsWith(".css") ? "text/css; charset=utf-8" : "image/svg+xml";
    serve(ctx, "dashboard/assets/" + file, type);
  }

  private void serve(RoutingContext ctx, String resource, String type) {
    Optional<Buffer> cached = cache.get(resource);
    if (cached != null) {
      answer(ctx, cached, type);
      return;
    }
    // Reading from the jar is blocking I/O: once per resource, on a worker.
    ctx.vertx().executeBlocking(() -> cache.computeIfAbsent(resource, DashboardPages::load), false)
        .onComplete(loaded -> {
          if (loaded.succeeded()) {
            answer(ctx, loaded.result(), type);
          } else {
            ctx.fail(loaded.cause());
          }
        });
  }

  private static void answer(RoutingContext ctx, Optional<Buffer> body, String type) {
    if (body.isEmpty()) {
      HttpErrors.send(ctx, 404, "not_found", "no such file");
      return;
    }
    ctx.response().putHeader("Content-Type", type)
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "same-origin")
        .putHeader("Cache-Control", type.startsWith("text/html") ? "no-store" : "no-cache")
        .end(body.get());
  }

  private static Optional<Buffer> load(String resource) {
    try (InputStream in = DashboardPages.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? Optional.empty() : Optional.of(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + resource + " from the jar", e);
    }
  }
}
