package io.trackside.sdk.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.sdk.Trackside;
import io.trackside.sdk.TracksideProcess;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter in a real servlet container (Jetty 12, ee10) in front of a small site — pages, an
 * asset, an API, health checks, an async page — sending to a real Trackside process. Requests
 * come over HTTP; what is asserted is what Trackside stored.
 *
 * <p>Three applications: "/" trusts the loopback proxy (so X-Forwarded-* count), "/untrusted"
 * trusts only 10.0.0.0/8 (so they must not), and "/webxml" is configured by init parameters
 * with a client of its own, as a web.xml would.
 */
class PageViewFilterTest {
  static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "Chrome/124.0.0.0 Safari/537.36";
  private static final Pattern PAGE_VIEW_ID = Pattern.compile("data-page-view-id=\"([^\"]*)\"");

  @TempDir
  static Path dir;

  static TracksideProcess trackside;
  static Trackside client;
  static Server jetty;
  static ServletContextHandler webXmlApp;
  static int port;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The site: what each path answers, and the page-view id as a page template would print it. */
  static final class Site extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String path = req.getPathInfo() == null ? req.getServletPath() : req.getServletPath() + req.getPathInfo();
      switch (path) {
        case "/pricing" -> {
          req.setAttribute(PageViewFilter.TITLE, "Pricing — Shop");
          html(req, resp, 200);
        }
        case "/account" -> {
          req.setAttribute(PageViewFilter.USER_ID, "user-7");
          html(req, resp, 200);
        }
        case "/app.css" -> text(resp, "text/css", "body{}");
        case "/logo" -> text(resp, "image/png", "PNG");
        case "/api/data" -> text(resp, "application/json", "{}");
        case "/missing" -> html(req, resp, 404);
        case "/async" -> {
          AsyncContext async = req.startAsync();
          new Thread(() -> {
            try {
              Thread.sleep(50);
              html((HttpServletRequest) async.getRequest(), (HttpServletResponse) async.getResponse(), 200);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            } finally {
              async.complete();
            }
          }).start();
        }
        default -> html(req, resp, 200); // /about, /healthz, /actuator/health, /hello, /private/x: all HTML
      }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      html(req, resp, 200);
    }

    private static void html(HttpServletRequest req, HttpServletResponse resp, int status) throws IOException {
      resp.setStatus(status);
      resp.setContentType("text/html; charset=utf-8");
      Object id = req.getAttribute(PageViewFilter.PAGE_VIEW_ID);
      resp.getWriter().write("<!doctype html><html><body data-page-view-id=\"" + (id == null ? "" : id) + "\">page</body></html>");
    }

    private static void text(HttpServletResponse resp, String type, String body) throws IOException {
      resp.setContentType(type);
      resp.getWriter().write(body);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    trackside = TracksideProcess.start(dir);
    client = Trackside.builder(TracksideProcess.WRITE_KEY).endpoint(trackside.endpoint())
        .flushInterval(Duration.ofMillis(200)).build();

    ServletContextHandler main = app("/", new FilterHolder(PageViewFilter.builder(client)
        .trustedProxies("127.0.0.0/8", "10.0.0.0/8").anonymousIdCookie("ajs_anonymous_id").build()));
    ServletContextHandler untrusted = app("/untrusted", new FilterHolder(PageViewFilter.builder(client)
        .trustedProxies("10.0.0.0/8").build()));
    FilterHolder byInitParams = new FilterHolder(PageViewFilter.class);
    byInitParams.setInitParameter("endpoint", trackside.endpoint().toString());
    byInitParams.setInitParameter("writeKey", TracksideProcess.WRITE_KEY);
    byInitParams.setInitParameter("trustedProxies", "127.0.0.1, ::1");
    byInitParams.setInitParameter("skipPaths", "/private");
    webXmlApp = app("/webxml", byInitParams);

    jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    jetty.setHandler(new ContextHandlerCollection(main, untrusted, webXmlApp));
    jetty.start();
    port = connector.getLocalPort();
  }

  private static ServletContextHandler app(String contextPath, FilterHolder filter) {
    ServletContextHandler app = new ServletContextHandler(contextPath);
    ServletHolder site = new ServletHolder(new Site());
    site.setAsyncSupported(true);
    app.addServlet(site, "/*");
    filter.setAsyncSupported(true);
    app.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    return app;
  }

  @AfterAll
  static void stop() throws Exception {
    if (jetty != null) {
      jetty.stop();
    }
    if (client != null) {
      client.close();
    }
    if (trackside != null) {
      trackside.stop();
    }
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    return send("GET", path, headers);
  }

  private static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).header("User-Agent", BROWSER);
    for (int i = 0; i < headers.length; i += 2) {
      request.setHeader(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The page-view id the page could read (empty when the filter gave it none). */
  private static String pageViewId(HttpResponse<String> page) {
    Matcher m = PAGE_VIEW_ID.matcher(page.body());
    assertThat(m.find()).as("page body: %s", page.body()).isTrue();
    return m.group(1);
  }

  @Test
  void recordsEachHtmlPageViewWithItsDetailsAndNothingElse() throws Exception {
    long enqueuedBefore = client.stats().enqueued();
    HttpResponse<String> pricing = get("/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring",
        "Referer", "https://www.google.com/",
        "X-Forwarded-For", "198.51.100.23, 10.0.0.5",
        "X-Forwarded-Proto", "https",
        "X-Forwarded-Host", "shop.example");
    HttpResponse<String> about = get("/about",
        "Cookie", "ajs_anonymous_id=%22anon-123%22; other=1",
        "X-Forwarded-For", "6.6.6.6, 198.51.100.24"); // the visitor's own made-up entry comes first
    HttpResponse<String> account = get("/account", "Forwarded", "for=\"[2001:db8::7]:4711\";proto=https;host=shop.example");
    HttpResponse<String> untrusted = get("/untrusted/about", "X-Forwarded-For", "198.51.100.25");
    HttpResponse<String> async = get("/async");
    Map<String, String> recorded = new HashMap<>();
    recorded.put(pageViewId(pricing), "/pricing");
    recorded.put(pageViewId(about), "/about");
    recorded.put(pageViewId(account), "/account");
    recorded.put(pageViewId(untrusted), "/untrusted/about");
    recorded.put(pageViewId(async), "/async");
    assertThat(recorded).hasSize(5).doesNotContainKey("");

    // None of these is a page view of a person.
    List<HttpResponse<String>> skipped = List.of(
        get("/app.css"), get("/logo"), get("/api/data"), get("/missing"),
        get("/healthz"), get("/actuator/health"), get("/readyz"),
        send("POST", "/pricing"), send("HEAD", "/pricing"),
        get("/pricing", "User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
        get("/pricing", "User-Agent", "curl/8.5.0"),
        get("/pricing", "User-Agent", "python-requests/2.31"),
        get("/pricing", "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/124.0.0.0 Safari/537.36"));
    assertThat(skipped).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 404));
    assertThat(pageViewId(get("/healthz"))).as("no page-view id for a skipped path").isEmpty();

    // The async page is recorded when its request completes, which may be just after the answer reached us.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (client.stats().enqueued() - enqueuedBefore < 5 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(client.flush(Duration.ofSeconds(30))).isTrue();
    assertThat(client.stats().enqueued() - enqueuedBefore).as("events the filter made").isEqualTo(5);

    List<JsonNode> stored = trackside.eventsUntil("type=page", e -> e.size() >= 5);
    Map<String, JsonNode> byId = new HashMap<>();
    for (JsonNode e : stored) {
      byId.put(e.get("message_id").asText(), e);
    }
    assertThat(byId.keySet()).as("stored page views = the ids the pages could read").containsAll(recorded.keySet());
    assertThat(stored.stream().filter(e -> !e.get("page_path").asText().startsWith("/webxml")))
        .as("nothing else stored").hasSize(5);

    JsonNode p = byId.get(pageViewId(pricing));
    assertThat(p.get("type").asText()).isEqualTo("page");
    assertThat(p.get("page_path").asText()).isEqualTo("/pricing");
    assertThat(p.get("page_url").asText()).startsWith("https://shop.example/pricing?").contains("utm_source=newsletter");
    assertThat(p.get("page_title").asText()).isEqualTo("Pricing — Shop");
    assertThat(p.get("page_referrer").asText()).startsWith("https://www.google.com");
    assertThat(p.get("utm_source").asText()).isEqualTo("newsletter");
    assertThat(p.get("utm_medium").asText()).isEqualTo("email");
    assertThat(p.get("utm_campaign").asText()).isEqualTo("spring");
    assertThat(p.get("ip").asText()).as("via trusted proxies 127.0.0.1 and 10.0.0.5").isEqualTo("198.51.100.23");
    assertThat(p.get("user_agent").asText()).isEqualTo(BROWSER);
    assertThat(p.get("library_name").asText()).isEqualTo("trackside-java");
    assertThat(p.get("anonymous_id").isNull()).isTrue();
    assertThat(p.get("visitor_id").asText()).as("the server's cookieless daily id").isNotBlank();
    JsonNode context = TracksideProcess.json(p.get("context"));
    assertThat(context.at("/trackside/cookieless").asBoolean()).isTrue();

    JsonNode a = byId.get(pageViewId(about));
    assertThat(a.get("ip").asText()).as("the made-up 6.6.6.6 is ignored").isEqualTo("198.51.100.24");
    assertThat(a.get("anonymous_id").asText()).isEqualTo("anon-123");
    assertThat(TracksideProcess.json(a.get("context")).has("trackside")).as("not cookieless").isFalse();
    assertThat(a.get("page_referrer").isNull() || a.get("page_referrer").asText().isEmpty()).isTrue();

    JsonNode acc = byId.get(pageViewId(account));
    assertThat(acc.get("user_id").asText()).isEqualTo("user-7");
    assertThat(acc.get("ip").asText()).as("from Forwarded: for=").isIn("2001:db8:0:0:0:0:0:7", "2001:db8::7");
    assertThat(acc.get("page_url").asText()).startsWith("https://shop.example/account");
    assertThat(TracksideProcess.json(acc.get("context")).has("trackside")).isFalse();

    JsonNode u = byId.get(pageViewId(untrusted));
    assertThat(u.get("ip").asText()).as("X-Forwarded-For from an untrusted address is ignored").isEqualTo("127.0.0.1");
    assertThat(u.get("page_url").asText()).isEqualTo("http://127.0.0.1:" + port + "/untrusted/about");

    assertThat(byId.get(pageViewId(async)).get("page_path").asText()).isEqualTo("/async");
  }

  @Test
  void aFilterConfiguredByInitParametersSendsThroughItsOwnClientAndFlushesItOnDestroy() throws Exception {
    String hello = pageViewId(get("/webxml/hello?x=1", "X-Forwarded-For", "192.0.2.44"));
    assertThat(hello).isNotEmpty();
    assertThat(pageViewId(get("/webxml/private/x"))).as("skipPaths replaced the defaults").isEmpty();
    assertThat(pageViewId(get("/webxml/healthz"))).as("no longer a default skip").isNotEmpty();
    webXmlApp.stop(); // destroy(): the filter's own client closes and sends what it holds (10 s interval)

    List<JsonNode> stored = trackside.eventsUntil("type=page",
        e -> e.stream().anyMatch(x -> x.get("message_id").asText().equals(hello)));
    JsonNode e = stored.stream().filter(x -> x.get("message_id").asText().equals(hello)).findFirst().orElseThrow();
    assertThat(e.get("page_path").asText()).isEqualTo("/webxml/hello");
    assertThat(e.get("ip").asText()).isEqualTo("192.0.2.44");
    assertThat(stored.stream().filter(x -> x.get("page_path").asText().startsWith("/webxml/private"))).isEmpty();
  }
}
