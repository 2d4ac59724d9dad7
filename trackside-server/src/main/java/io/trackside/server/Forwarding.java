package io.trackside.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.trackside.cluster.PartitionLeases;
import io.trackside.destination.DeadLetterStore;
import io.trackside.destination.DeliveryService;
import io.trackside.log.EmbeddedEventLog;
import io.trackside.log.EmbeddedLogConfig;
import io.trackside.log.EventLog;
import io.trackside.log.KafkaEventLog;
import io.trackside.log.KafkaLogConfig;
import io.trackside.pipeline.EnrichedLogForwarder;
import io.trackside.warehouse.PostgresWarehouse;
import io.trackside.warehouse.Suppressions;
import io.trackside.warehouse.Warehouse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwarding to destinations, when any is configured: the enriched log the warehouse writers
 * append to ({@link #forwarder()}), and one delivery per destination reading it.
 *
 * <ul>
 *   <li>Embedded log: the enriched log is under {@code <data>/enriched}; this node writes and
 *       delivers it alone (its roles are all).</li>
 *   <li>Kafka log: the enriched log is the topic {@code <topic>-enriched}, with the raw topic's
 *       partitions. Every process node appends to it, whether it delivers or not; on a PostgreSQL
 *       warehouse every deliver node leases a share of each destination's partitions
 *       ({@link DeliveryService#leased}), so deliver needs no process role on the same node and a
 *       dead node's partitions are delivered by the others.</li>
 * </ul>
 * With no destination configured nothing of this exists and the writers append nothing.
 */
final class Forwarding implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Forwarding.class);
  static final String ENRICHED_TOPIC_SUFFIX = "-enriched";

  private final EventLog enriched;
  private final DeadLetterStore deadLetters;
  private final DeliveryService delivery;
  private final EnrichedLogForwarder forwarder;
  /** On PostgreSQL: follows other nodes' erasures, which this node may not write after. */
  private final ScheduledExecutorService erasures;

  private Forwarding(EventLog enriched, DeadLetterStore deadLetters, DeliveryService delivery,
                     EnrichedLogForwarder forwarder, ScheduledExecutorService erasures) {
    this.enriched = enriched;
    this.deadLetters = deadLetters;
    this.delivery = delivery;
    this.forwarder = forwarder;
    this.erasures = erasures;
  }

  /** Nothing to forward: no destination, or a node that neither processes nor delivers. */
  static Forwarding none() {
    return new Forwarding(null, null, null, null, null);
  }

  /** The enriched log keeps the raw log's partitions and age, but a dead destination never holds its size. */
  static EmbeddedLogConfig enrichedLogConfig(EmbeddedLogConfig raw, Path dataDir) {
    return raw.withDir(dataDir.resolve("enriched")).withSizeRetentionWaits(false);
  }

  /** The enriched topic beside the raw one, created like it with as many partitions. */
  static KafkaLogConfig enrichedTopic(KafkaLogConfig raw, int partitions) {
    return raw.withTopic(raw.topic() + ENRICHED_TOPIC_SUFFIX).withPartitions(partitions);
  }

  /**
   * Opens the enriched log.
   *
   * @param forward whether this node's warehouse writers append to it ({@link #forwarder()})
   * @param deliver whether this node delivers it to the destinations
   */
  static Forwarding open(Config config, EventLog rawLog, Warehouse warehouse, boolean forward, boolean deliver,
                         MeterRegistry registry) throws Exception {
    if (config.destinations().isEmpty() || !forward && !deliver) {
      return none();
    }
    int partitions = rawLog.partitions();
    EventLog enriched = config.kafkaLog() != null
        ? KafkaEventLog.open(enrichedTopic(config.kafkaLog(), partitions), registry, "trackside.enriched.log")
        : EmbeddedEventLog.open(enrichedLogConfig(config.log().withPartitions(partitions), config.dataDir()), registry,
            "trackside.enriched.log", io.trackside.pipeline.BackgroundPriority::lowerCurrentThread);
    DeadLetterStore deadLetters = null;
    try {
      EnrichedLogForwarder forwarder = forward ? new EnrichedLogForwarder(enriched, partitions) : null;
      DeliveryService delivery = null;
      if (deliver) {
        deadLetters = new DeadLetterStore(warehouse.newConnection());
        Suppressions erased = warehouse.suppressions();
        java.util.function.Predicate<io.trackside.destination.DeliveryEvent> isErased =
            e -> !erased.isEmpty() && (erased.contains(e.userId()) || erased.contains(e.anonymousId()));
        if (config.kafkaLog() != null && config.postgresWarehouse() != null) {
          String url = config.postgresWarehouse().url();
          delivery = DeliveryService.leased(config.destinations(), enriched, deadLetters,
              new DeliveryService.Leasing(Processing.nodeId(config),
                  () -> DriverManager.getConnection(url), PartitionLeases.Config.defaults()), registry, isErased);
        } else {
          delivery = new DeliveryService(config.destinations(), enriched, deadLetters,
              config.dataDir().resolve("destinations"), registry, isErased);
        }
      }
      ScheduledExecutorService erasures = null;
      if (delivery != null && warehouse instanceof PostgresWarehouse pg) {
        // A person erased through any node: their events still in the enriched log stop going out
        // from this node within seconds, even if it writes nothing to the warehouse meanwhile.
        erasures = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "destination-erasures");
          t.setDaemon(true);
          return t;
        });
        erasures.scheduleWithFixedDelay(() -> {
          try {
            pg.catchUpSuppressions();
          } catch (Exception e) {
            LOG.debug("Cannot read the erasures from PostgreSQL now: {}", e.toString());
          }
        }, 2, 2, TimeUnit.SECONDS);
      }
      return new Forwarding(enriched, deadLetters, delivery, forwarder, erasures);
    } catch (Exception | Error e) {
      if (deadLetters != null) {
        deadLetters.close();
      }
      enriched.close();
      throw e;
    }
  }

  /** Starts the deliveries; fails when the stored pauses or the leases cannot be read. */
  void start() throws Exception {
    if (delivery != null) {
      delivery.start();
    }
  }

  /** What the warehouse writers call before each commit; null when this node appends nothing. */
  EnrichedLogForwarder forwarder() {
    return forwarder;
  }

  /** Null when no destination is configured or this node does not deliver. */
  DeliveryService delivery() {
    return delivery;
  }

  String problem() {
    return enriched == null ? null : enriched.problem();
  }

  /** After the writer has stopped: deliveries finish their requests in flight, then the log closes. */
  @Override
  public void close() {
    if (erasures != null) {
      erasures.shutdownNow();
    }
    if (delivery != null) {
      delivery.stop(Duration.ofSeconds(10));
      deadLetters.close();
    }
    if (enriched != null) {
      enriched.close();
    }
  }
}
