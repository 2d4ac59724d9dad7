package io.trackside.server;

import io.trackside.collect.Cors;
import io.trackside.collect.GtagCollector;
import io.trackside.collect.HttpErrors;
import io.trackside.collect.SegmentCollector;
import io.trackside.collect.Snippet;
import io.trackside.dashboard.AdminApi;
import io.trackside.dashboard.DashboardPages;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * One HTTP server instance; the node deploys one per event loop so every core takes requests.
 * All instances share the same collector, API and health handlers (they are thread-safe).
 */
final class HttpVerticle extends VerticleBase {
  private final String host;
  private final int port;
  private final Cors cors;
  private final SegmentCollector collector;
  private final Snippet snippet;
  private final GtagCollector gtag;
  private final AdminApi adminApi;
  private final OpsEndpoints ops;
  private final DashboardPages dashboard;
  private HttpServer server;

  HttpVerticle(String host, int port, Cors cors, SegmentCollector collector, Snippet snippet, GtagCollector gtag,
               AdminApi adminApi, OpsEndpoints ops, DashboardPages dashboard) {
    this.host = host;
    this.port = port;
    this.cors = cors;
    this.collector = collector;
    this.snippet = snippet;
    this.gtag = gtag;
    this.adminApi = adminApi;
    this.ops = ops;
    this.dashboard = dashboard;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    if (collector != null) { // the collect role
      router.route("/v1/*").handler(cors::handle);
      router.route("/g/*").handler(cors::handle);
      collector.mount(router);
      collector.mountPixel(router);
      router.route(snippet.collectPath()).handler(cors::handle);
      collector.mountBatch(router, snippet.collectPath());
      snippet.mount(router);
      gtag.mount(router);
    }
    ops.mount(router);
    if (adminApi != null) { // the dashboard role
      adminApi.mount(router);
      dashboard.mount(router);
    }
    router.route().last().handler(ctx -> HttpErrors.send(ctx, 404, "not_found",
        "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port)
        .setTcpNoDelay(true).setIdleTimeout(120).setMaxHeaderSize(16 * 1024)
        // gtag.js sends a hit's parameters in the URL (up to 16 KB per event), not only a body
        .setMaxInitialLineLength(32 * 1024);
    // The same over HTTP/2 (h2c), where the URL is the :path header and counts against the header list.
    options.getInitialSettings().setMaxHeaderListSize(48 * 1024);
    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> server = s);
  }

  int actualPort() {
    return server.actualPort();
  }
}
