package io.trackside.collect;

import io.trackside.core.IntakeException;
import io.trackside.core.SegmentIntake;
import io.trackside.log.EventLog;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Segment HTTP Tracking API ({@code POST /v1/track}, {@code /v1/batch}, analytics.js's
 * {@code /v1/t} … and {@code /v1/b}). It authenticates the source, parses and judges each
 * event, appends everything to the log in one call and answers only when that append is
 * durable (promise 1). It never blocks the event loop: the log's writer completes the future.
 */
public final class SegmentCollector {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentCollector.class);
  private static final Map<String, String> PATH_TYPES = Map.ofEntries(
      Map.entry("track", "track"), Map.entry("t", "track"),
      Map.entry("page", "page"), Map.entry("p", "page"),
      Map.entry("screen", "screen"), Map.entry("s", "screen"),
      Map.entry("identify", "identify"), Map.entry("i", "identify"),
      Map.entry("group", "group"), Map.entry("g", "group"),
      Map.entry("alias", "alias"), Map.entry("a", "alias"));
  private static final List<String> BATCH_PATHS = List.of("batch", "b", "import");
  private static final String SUCCESS = "{\"success\":true}";

  private final SegmentIntake intake;
  private final Map<String, String> sourceByWriteKey;
  private final CollectMetrics metrics;
  private final Admission admission;
  private final DurableAppend appender;

  public SegmentCollector(SegmentIntake intake, Map<String, String> sourceByWriteKey, EventLog log,
                          CollectMetrics metrics, ClientAddress clientAddress, Admission admission) {
    this.intake = intake;
    this.sourceByWriteKey = Map.copyOf(sourceByWriteKey);
    this.metrics = metrics;
    this.admission = admission;
    this.appender = new DurableAppend(log, metrics, clientAddress, admission);
  }

  public void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(intake.limits().maxRequestBytes());
    router.postWithRegex("/v1/([a-z]+)/?").handler(body).handler(this::checkPath)
        .handler(ctx -> handle(ctx, ctx.pathParam("param0"))).failureHandler(this::bodyFailure);
  }

  /** A batch endpoint at another path: the snippet's collect endpoint, under the operator's neutral name. */
  public void mountBatch(Router router, String path) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(intake.limits().maxRequestBytes());
    router.post(path).handler(body).handler(ctx -> handle(ctx, "batch")).failureHandler(this::bodyFailure);
  }

  private void checkPath(RoutingContext ctx) {
    String kind = ctx.pathParam("param0");
    if (!PATH_TYPES.containsKey(kind) && !BATCH_PATHS.contains(kind)) {
      HttpErrors.send(ctx, 404, "not_found", "no such endpoint: POST /v1/" + kind
          + "; use /v1/track, /v1/page, /v1/screen, /v1/identify, /v1/group, /v1/alias or /v1/batch");
      return;
    }
    ctx.next();
  }

  /** The body handler fails the route with 413 on an oversized body; Segment's clients need a 400. */
  private void bodyFailure(RoutingContext ctx) {
    if (ctx.statusCode() == 413) {
      metrics.rejectedRequest("request_too_large");
      HttpErrors.send(ctx, 400, "request_too_large",
          "request body is over " + intake.limits().maxRequestBytes() + " bytes, the limit per request");
    } else {
      LOG.warn("collector request failed", ctx.failure());
      HttpErrors.send(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, "internal_error",
          "the request could not be handled; nothing was stored, retry it");
    }
  }

  /** GET /v1/pixel/<type>: one event in the query string, answered with an image (see {@link Pixel}). */
  public void mountPixel(Router router) {
    router.getWithRegex("/v1/pixel/([a-z]+)/?").handler(ctx -> {
      String kind = ctx.pathParam("param0");
      ctx.put(Pixel.MARKER, true);
      if (!PATH_TYPES.containsKey(kind)) {
        HttpErrors.send(ctx, 404, "not_found", "no pixel for " + kind);
        return;
      }
      handle(ctx, kind, () -> Pixel.body(ctx.queryParams()));
    });
  }

  /** The request's event bytes; throws what the client must fix. */
  private interface Body {
    byte[] read() throws IntakeException;
  }

  private void handle(RoutingContext ctx, String kind) {
    handle(ctx, kind, () -> RequestBody.decode(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes(),
        ctx.request().getHeader(HttpHeaders.CONTENT_ENCODING), intake.limits().maxRequestBytes()));
  }

  private void handle(RoutingContext ctx, String kind, Body bodySource) {
    long startNanos = System.nanoTime();
    long receivedAt = System.currentTimeMillis();
    HttpServerRequest request = ctx.request();
    if (!appender.admit(ctx)) {
      return;
    }
    try {
      String headerKey = WriteKeys.fromBasicAuth(request.getHeader(HttpHeaders.AUTHORIZATION));
      String source = headerKey == null ? null : sourceByWriteKey.get(headerKey);
      if (headerKey != null && source == null) {
        unauthorized(ctx);
        admission.exit();
        return;
      }
      SegmentIntake.Request parsed;
      try {
        parsed = intake.parse(bodySource.read(), PATH_TYPES.get(kind));
      } catch (IntakeException e) {
        metrics.rejectedRequest(e.code());
        HttpErrors.send(ctx, 400, e.code(), e.getMessage());
        admission.exit();
        return;
      }
      if (source == null) {
        source = parsed.writeKey() == null ? null : sourceByWriteKey.get(parsed.writeKey());
        if (source == null) {
          unauthorized(ctx);
          admission.exit();
          return;
        }
      }
      appender.append(ctx, source, parsed.items(), receivedAt, startNanos, SegmentCollector::success);
    } catch (RuntimeException e) {
      admission.exit();
      throw e;
    }
  }

  private static void success(RoutingContext ctx) {
    if (Pixel.isPixel(ctx)) {
      Pixel.answer(ctx, 200, null);
    } else {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(SUCCESS);
    }
  }

  private void unauthorized(RoutingContext ctx) {
    metrics.rejectedRequest("unauthorized");
    ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"trackside\"");
    HttpErrors.send(ctx, 401, "unauthorized", "missing or unknown write key: send it as HTTP Basic user name "
        + "(base64 of \"<writeKey>:\") or as \"writeKey\" in the JSON body");
  }

}
