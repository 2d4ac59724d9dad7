package io.trackside.collect;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * CORS for the collector endpoints, so browsers can send events from the site's pages. The
 * request's Origin is echoed (with {@code Vary: Origin}) rather than answering {@code *}, which
 * keeps requests made with credentials working too.
 */
public final class Cors {
  private static final String ALLOWED_HEADERS = "Content-Type, Authorization, Content-Encoding";
  private final boolean anyOrigin;
  private final Set<String> origins;

  public Cors(List<String> allowedOrigins) {
    this.anyOrigin = allowedOrigins.contains("*");
    this.origins = Set.copyOf(allowedOrigins);
  }

  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    boolean preflight = ctx.request().method() == HttpMethod.OPTIONS;
    if (origin == null) {
      if (preflight) {
        ctx.response().setStatusCode(204).end();
      } else {
        ctx.next();
      }
      return;
    }
    HttpServerResponse response = ctx.response();
    response.putHeader(HttpHeaders.VARY, "Origin");
    if (!anyOrigin && !origins.contains(origin)) {
      if (preflight) {
        response.setStatusCode(403).end();
      } else {
        ctx.next(); // no CORS headers: the browser keeps the answer from the page
      }
      return;
    }
    response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
        .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    if (preflight) {
      response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "POST, GET, OPTIONS")
          .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS)
          .putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, "86400")
          .setStatusCode(204).end();
      return;
    }
    ctx.next();
  }
}
