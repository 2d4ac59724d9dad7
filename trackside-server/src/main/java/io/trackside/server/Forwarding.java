package io.trackside.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.trackside.destination.DeadLetterStore;
import io.trackside.destination.DeliveryService;
import io.trackside.destination.DestinationConfig;
import io.trackside.log.EmbeddedEventLog;
import io.trackside.log.EmbeddedLogConfig;
import io.trackside.log.EventLog;
import io.trackside.pipeline.EnrichedLogForwarder;
import io.trackside.warehouse.Warehouse;
import io.trackside.warehouse.Suppressions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Forwarding to destinations, when any is configured: the enriched log (under
 * {@code <data>/enriched}) the warehouse writer appends to, and one delivery per destination
 * reading it. With none configured nothing of this exists and the writer appends nothing.
 */
final class Forwarding implements AutoCloseable {
  private final EventLog enriched;
  private final DeadLetterStore deadLetters;
  private final DeliveryService delivery;
  private final EnrichedLogForwarder forwarder;

  private Forwarding(EventLog enriched, DeadLetterStore deadLetters, DeliveryService delivery,
                     EnrichedLogForwarder forwarder) {
    this.enriched = enriched;
    this.deadLetters = deadLetters;
    this.delivery = delivery;
    this.forwarder = forwarder;
  }

  /** Nothing to forward: no destination, or a node without the deliver role. */
  static Forwarding none() {
    return new Forwarding(null, null, null, null);
  }

  /** The enriched log keeps the raw log's partitions and age, but a dead destination never holds its size. */
  static EmbeddedLogConfig enrichedLogConfig(EmbeddedLogConfig raw, Path dataDir) {
    return raw.withDir(dataDir.resolve("enriched")).withSizeRetentionWaits(false);
  }

  /** Opens the enriched log; every warehouse writer must feed it through {@link #forwarder()}. */
  static Forwarding open(List<DestinationConfig> destinations, EmbeddedLogConfig rawLog, Path dataDir,
                         Warehouse warehouse, MeterRegistry registry) throws Exception {
    if (destinations.isEmpty()) {
      return none();
    }
    EventLog enriched = EmbeddedEventLog.open(enrichedLogConfig(rawLog, dataDir), registry, "trackside.enriched.log");
    DeadLetterStore deadLetters = null;
    try {
      EnrichedLogForwarder forwarder = new EnrichedLogForwarder(enriched, rawLog.partitions());
      deadLetters = new DeadLetterStore(warehouse.newConnection());
      Suppressions erased = warehouse.suppressions();
      DeliveryService delivery = new DeliveryService(destinations, enriched, deadLetters,
          dataDir.resolve("destinations"), registry,
          e -> !erased.isEmpty() && (erased.contains(e.userId()) || erased.contains(e.anonymousId())));
      return new Forwarding(enriched, deadLetters, delivery, forwarder);
    } catch (Exception | Error e) {
      if (deadLetters != null) {
        deadLetters.close();
      }
      enriched.close();
      throw e;
    }
  }

  void start() {
    if (delivery != null) {
      delivery.start();
    }
  }

  /** What the warehouse writers call before each commit; null when nothing is forwarded. */
  Warehouse.BeforeCommit forwarder() {
    return forwarder;
  }

  /** Null when no destination is configured. */
  DeliveryService delivery() {
    return delivery;
  }

  String problem() {
    return enriched == null ? null : enriched.problem();
  }

  /** After the writer has stopped: deliveries finish their requests in flight, then the log closes. */
  @Override
  public void close() {
    if (delivery != null) {
      delivery.stop(Duration.ofSeconds(10));
      deadLetters.close();
      enriched.close();
    }
  }
}
