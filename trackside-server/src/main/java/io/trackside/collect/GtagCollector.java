package io.trackside.collect;

import io.trackside.core.GtagIntake;
import io.trackside.core.IntakeException;
import io.trackside.core.IntakeItem;
import io.trackside.log.EventLog;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gtag.js hits, as sGTM's GA4 client takes them ({@code GET} and {@code POST /g/collect}, v2): a
 * site points {@code server_container_url} (or {@code transport_url}) at Trackside and keeps its
 * tags. The hit's measurement id ({@code tid}) names the source; an unknown one is refused with
 * 400 and nothing is stored. Like the Segment collector, everything is appended in one call and
 * the answer — 204 without a body, as Google's collection answers — comes only once the append
 * is durable; 503 with Retry-After when the log refuses.
 */
public final class GtagCollector {
  private static final Logger LOG = LoggerFactory.getLogger(GtagCollector.class);
  static final String PATH = "/g/collect";

  private final GtagIntake intake;
  private final Map<String, String> sourceByMeasurementId;
  private final CollectMetrics metrics;
  private final Admission admission;
  private final DurableAppend appender;

  /** @param sourceByMeasurementId source name by measurement id, matched without regard to case */
  public GtagCollector(GtagIntake intake, Map<String, String> sourceByMeasurementId, EventLog log,
                       CollectMetrics metrics, ClientAddress clientAddress, Admission admission) {
    this.intake = intake;
    this.sourceByMeasurementId = sourceByMeasurementId.entrySet().stream()
        .collect(Collectors.toUnmodifiableMap(e -> e.getKey().toUpperCase(Locale.ROOT), Map.Entry::getValue));
    this.metrics = metrics;
    this.admission = admission;
    this.appender = new DurableAppend(log, metrics, clientAddress, admission);
  }

  public void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(intake.limits().maxRequestBytes());
    router.get(PATH).handler(this::handle);
    router.post(PATH).handler(body).handler(this::handle).failureHandler(this::bodyFailure);
  }

  private void bodyFailure(RoutingContext ctx) {
    if (ctx.statusCode() == 413) {
      metrics.rejectedRequest("request_too_large");
      HttpErrors.send(ctx, 413, "request_too_large",
          "request body is over " + intake.limits().maxRequestBytes() + " bytes, the limit per request");
    } else {
      LOG.warn("gtag request failed", ctx.failure());
      HttpErrors.send(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : 500, "internal_error",
          "the request could not be handled; nothing was stored");
    }
  }

  private void handle(RoutingContext ctx) {
    long startNanos = System.nanoTime();
    long receivedAt = System.currentTimeMillis();
    HttpServerRequest request = ctx.request();
    if (!appender.admit(ctx)) {
      return;
    }
    try {
      List<IntakeItem> items;
      String source;
      try {
        GtagIntake.Shared shared = intake.shared(request.query());
        source = sourceByMeasurementId.get(shared.measurementId().toUpperCase(Locale.ROOT));
        if (source == null) {
          throw new IntakeException("unknown_measurement_id", "no source lists the measurement id "
              + shorten(shared.measurementId()) + "; add it to a source's measurement-ids in the config");
        }
        byte[] body = new byte[0];
        if (request.method() == HttpMethod.POST && ctx.body().buffer() != null) {
          body = RequestBody.decode(ctx.body().buffer().getBytes(), request.getHeader(HttpHeaders.CONTENT_ENCODING),
              intake.limits().maxRequestBytes());
        }
        items = intake.events(shared, body);
      } catch (IntakeException e) {
        metrics.rejectedRequest(e.code());
        HttpErrors.send(ctx, e.code().equals("request_too_large") ? 413 : 400, e.code(), e.getMessage());
        admission.exit();
        return;
      }
      appender.append(ctx, source, items, receivedAt, startNanos, GtagCollector::success);
    } catch (RuntimeException e) {
      admission.exit();
      throw e;
    }
  }

  private static void success(RoutingContext ctx) {
    ctx.response().setStatusCode(204).end();
  }

  private static String shorten(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "…" : text;
  }
}
