package io.trackside.collect;

import io.trackside.core.IntakeItem;
import io.trackside.core.ReceivedEvent;
import io.trackside.log.EventLog;
import io.trackside.log.LogRecord;
import io.trackside.log.LogUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part every protocol adapter shares and none may get wrong: one request's events (valid
 * and to-be-quarantined alike) go to the log in one append, with the request metadata the
 * pipeline needs, and the client hears "stored" only once that append is durable (promise 1);
 * when the log refuses, it hears 503 with Retry-After and nothing counts as stored. The
 * accounting of promise 2 is kept here too, so every adapter counts the same way.
 *
 * <p>The caller has entered {@link Admission}; this class leaves it once the answer is sent.
 */
final class DurableAppend {
  private static final Logger LOG = LoggerFactory.getLogger(DurableAppend.class);

  private final EventLog log;
  private final CollectMetrics metrics;
  private final ClientAddress clientAddress;
  private final Admission admission;

  DurableAppend(EventLog log, CollectMetrics metrics, ClientAddress clientAddress, Admission admission) {
    this.log = log;
    this.metrics = metrics;
    this.clientAddress = clientAddress;
    this.admission = admission;
  }

  /**
   * @param success writes the protocol's success answer; called on the event loop once every
   *                record is durable (or at once when there is nothing to store)
   */
  /**
   * Lets a request in unless Trackside is shutting down (then answers 503 and returns false).
   * Every admitted request must end in {@link #append} or call {@code admission.exit()}.
   */
  boolean admit(RoutingContext ctx) {
    if (admission.tryEnter()) {
      return true;
    }
    metrics.rejectedRequest("shutting_down");
    HttpErrors.unavailable(ctx, "shutting_down", "Trackside is shutting down; retry shortly", 5);
    return false;
  }

  void append(RoutingContext ctx, String source, List<IntakeItem> items, long receivedAt, long startNanos,
              Consumer<RoutingContext> success) {
    String ip = clientAddress.of(ctx.request());
    String userAgent = ctx.request().getHeader(HttpHeaders.USER_AGENT);
    List<LogRecord> records = new ArrayList<>(items.size());
    int valid = 0;
    ReceivedEvent.RequestEncoder encoder = new ReceivedEvent.RequestEncoder(receivedAt, source, ip, userAgent);
    for (IntakeItem item : items) {
      records.add(new LogRecord(item.logKey(ip, userAgent), receivedAt,
          encoder.encode(item.rejectReason(), item.rejectDetail(), item.json())));
      if (item.valid()) {
        valid++;
      }
    }
    metrics.received(source, items.size());
    if (records.isEmpty()) {
      finish(ctx, startNanos, success);
      return;
    }
    int validCount = valid;
    Future.fromCompletionStage(log.append(records), ctx.vertx().getOrCreateContext()).onComplete(result -> {
      if (result.succeeded()) {
        metrics.stored(source, validCount);
        for (IntakeItem item : items) {
          if (!item.valid()) {
            metrics.quarantined(source, item.rejectReason());
          }
        }
        finish(ctx, startNanos, success);
      } else {
        Throwable failure = result.cause() instanceof CompletionException ? result.cause().getCause() : result.cause();
        if (failure instanceof LogUnavailableException unavailable) {
          metrics.refused(source, unavailable.reason(), items.size());
          HttpErrors.unavailable(ctx, unavailable.reason(), "events not stored: " + unavailable.getMessage()
              + "; retry after " + unavailable.retryAfterSeconds() + " s", unavailable.retryAfterSeconds());
        } else {
          LOG.error("append to the event log failed unexpectedly", failure);
          metrics.refused(source, "internal_error", items.size());
          HttpErrors.unavailable(ctx, "internal_error", "events not stored; retry shortly", 5);
        }
        admission.exit();
      }
    });
  }

  private void finish(RoutingContext ctx, long startNanos, Consumer<RoutingContext> success) {
    success.accept(ctx);
    metrics.requestTimer().record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    admission.exit();
  }
}
