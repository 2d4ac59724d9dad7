package io.trackside.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.function.Supplier;

/** The open operational endpoints: liveness, readiness and Prometheus metrics. */
final class OpsEndpoints {
  private final PrometheusMeterRegistry registry;
  private final Supplier<List<String>> problems;

  /** @param problems what keeps the node from taking events right now; empty when ready */
  OpsEndpoints(PrometheusMeterRegistry registry, Supplier<List<String>> problems) {
    this.registry = registry;
    this.problems = problems;
  }

  void mount(Router router) {
    router.get("/healthz").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end("{\"status\":\"up\"}"));
    router.get("/readyz").handler(ctx -> {
      List<String> now = problems.get();
      JsonObject body = new JsonObject().put("status", now.isEmpty() ? "ready" : "not_ready")
          .put("problems", new JsonArray(now));
      ctx.response().setStatusCode(now.isEmpty() ? 200 : 503)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    });
    // Scraping walks every meter; run it off the event loop so collectors never wait behind it.
    router.get("/metrics").blockingHandler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()), false);
  }
}
