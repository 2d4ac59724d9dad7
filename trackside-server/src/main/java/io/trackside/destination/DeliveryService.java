package io.trackside.destination;

import io.micrometer.core.instrument.MeterRegistry;
import io.trackside.cluster.PartitionLeases;
import io.trackside.log.EventLog;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every configured destination's delivery, started and stopped together, and what the operator
 * API asks of them: their accounting, pause and resume, dead letters and replays.
 */
public final class DeliveryService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeliveryService.class);

  private final Map<String, Delivery> deliveries = new LinkedHashMap<>();
  private final EventLog enriched;
  private final DeadLetterStore deadLetters;
  private final PauseSwitch pause;
  private final Map<String, DestinationReplay> replays = new ConcurrentHashMap<>();
  private final AtomicInteger replayIds = new AtomicInteger();
  private final HttpSender http;
  /** Null when this node is the only deliverer (every partition, no leases). */
  private final Leasing leasing;
  private final MeterRegistry registry;
  private final List<PartitionLeases> leases = new ArrayList<>();
  private final List<LeasedDelivery> listeners = new ArrayList<>();
  private ScheduledExecutorService pausePoller;

  /**
   * How the deliveries of several nodes share the enriched log's partitions: per destination, a
   * {@link PartitionLeases} of group {@code deliver:<id>} in the shared PostgreSQL.
   */
  public record Leasing(String nodeId, PartitionLeases.Connector connector, PartitionLeases.Config config) {
  }

  /**
   * The only deliverer: every partition, pauses kept as files.
   *
   * @param erased whether an event belongs to a person erased since it was stored (not sent)
   * @param stateDir where pauses set through the API are kept
   */
  public DeliveryService(List<DestinationConfig> configs, EventLog enriched, DeadLetterStore deadLetters,
                         Path stateDir, MeterRegistry registry, Predicate<DeliveryEvent> erased) {
    this(configs, enriched, deadLetters, new FilePauses(stateDir), null, registry, erased);
  }

  /**
   * One of several deliverers on a shared enriched log: each destination's partitions are leased
   * from PostgreSQL, and pauses are rows there that every node polls.
   */
  public static DeliveryService leased(List<DestinationConfig> configs, EventLog enriched, DeadLetterStore deadLetters,
                                       Leasing leasing, MeterRegistry registry, Predicate<DeliveryEvent> erased) {
    return new DeliveryService(configs, enriched, deadLetters, new PostgresPauses(leasing.connector(),
        leasing.nodeId()), leasing, registry, erased);
  }

  private DeliveryService(List<DestinationConfig> configs, EventLog enriched, DeadLetterStore deadLetters,
                          PauseSwitch.Store pauses, Leasing leasing, MeterRegistry registry,
                          Predicate<DeliveryEvent> erased) {
    this.enriched = enriched;
    this.deadLetters = deadLetters;
    this.pause = new PauseSwitch(pauses);
    this.leasing = leasing;
    this.registry = registry;
    int connections = configs.stream().mapToInt(DestinationConfig::concurrency).max().orElse(1);
    this.http = new HttpSender(connections);
    for (DestinationConfig config : configs) {
      pause.load(config.id(), config.paused());
      deliveries.put(config.id(), new Delivery(config, Destinations.create(config), enriched, deadLetters, http,
          registry, erased, pause));
    }
  }

  /**
   * Reads the stored pauses, then starts every delivery: on all partitions, or (leased) on those
   * this node takes within a heartbeat. Fails when the pauses or the leases cannot be read.
   */
  public void start() throws Exception {
    pause.refresh();
    if (pause.shared()) {
      pausePoller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "destination-pauses");
        t.setDaemon(true);
        return t;
      });
      // Pauses set through another node's dashboard reach this node within a second.
      pausePoller.scheduleWithFixedDelay(pause::refreshQuietly, 1, 1, TimeUnit.SECONDS);
    }
    for (Delivery d : deliveries.values()) {
      if (leasing == null) {
        d.start();
      } else {
        LeasedDelivery listener = new LeasedDelivery(d);
        PartitionLeases lease = new PartitionLeases(LeasedDelivery.group(d.config().id()), leasing.nodeId(),
            enriched.partitions(), leasing.connector(), listener, registry, leasing.config());
        listeners.add(listener);
        lease.start();
        leases.add(lease);
      }
      Set<String> consent = d.sender().requiredConsent();
      log.info("Destination {} ({}) {}{}; {}", d.config().id(), d.destination().type(),
          pause.paused(d.config().id()) ? "is paused" : "delivers",
          leasing == null ? "" : " the enriched partitions this node leases",
          consent.isEmpty() ? "needs no consent" : "sends only events with consent to " + consent);
    }
  }

  public boolean isEmpty() {
    return deliveries.isEmpty();
  }

  public boolean exists(String id) {
    return deliveries.containsKey(id);
  }

  /** Accounting and state of every destination, for {@code GET /api/destinations}. */
  public List<Map<String, Object>> describe() throws SQLException {
    List<Map<String, Object>> all = new ArrayList<>();
    for (String id : deliveries.keySet()) {
      all.add(describe(id).orElseThrow());
    }
    return all;
  }

  public Optional<Map<String, Object>> describe(String id) throws SQLException {
    Delivery d = deliveries.get(id);
    if (d == null) {
      return Optional.empty();
    }
    DestinationMetrics m = d.metrics();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("id", id);
    s.put("type", d.destination().type());
    s.put("state", d.state());
    s.put("partitions", new java.util.TreeSet<>(d.partitions())); // those this node delivers
    s.put("paused", pause.paused(id));
    s.put("pausedByConfig", pause.pausedByConfig(id));
    s.put("consent", d.sender().requiredConsent());
    s.put("lag", d.lag());
    s.put("delivered", m.deliveredTotal());
    s.put("retrying", m.retrying.get());
    s.put("failedAttempts", m.failedAttemptsTotal());
    s.put("filtered", m.filteredByReason());
    s.put("deadLettered", m.deadLetteredByReason());
    s.put("deadLettersPending", deadLetters.pendingByReason(id));
    s.put("lastDeliveredAt", m.lastDeliveredAt == null ? null : m.lastDeliveredAt.toString());
    s.put("lastError", m.lastError);
    s.put("lastErrorAt", m.lastErrorAt == null ? null : m.lastErrorAt.toString());
    return Optional.of(s);
  }

  public void pause(String id) {
    pause.pause(id);
    log.info("Destination {} paused: its events wait in the log", id);
  }

  public void resume(String id) {
    pause.resume(id);
    log.info("Destination {} resumed{}", id, pause.pausedByConfig(id) ? ", but the config still pauses it" : "");
  }

  public List<Map<String, Object>> deadLetters(String id, int limit) throws SQLException {
    return deadLetters.recent(id, limit);
  }

  /** Starts a replay: of the pending dead letters when {@code from} is null, else of the events received in [from, to). */
  public Map<String, Object> replay(String id, Instant from, Instant to) {
    Delivery d = deliveries.get(id);
    String jobId = "r" + replayIds.incrementAndGet();
    DestinationReplay job = new DestinationReplay(jobId, d, enriched, deadLetters, from, to);
    replays.put(jobId, job);
    Thread t = new Thread(job, "replay-" + id + "-" + jobId);
    t.setDaemon(true);
    t.start();
    return job.status();
  }

  public Optional<Map<String, Object>> replayStatus(String id, String jobId) {
    DestinationReplay job = replays.get(jobId);
    return job == null || !job.destination.equals(id) ? Optional.empty() : Optional.of(job.status());
  }

  /** Stops every delivery: requests in flight may finish within the timeout; unsettled events stay in the log. */
  public void stop(Duration timeout) {
    replays.values().forEach(DestinationReplay::cancel);
    if (pausePoller != null) {
      pausePoller.shutdownNow();
    }
    List<Thread> stopping = new ArrayList<>();
    for (Delivery d : deliveries.values()) {
      Thread t = new Thread(() -> d.stop(timeout), "stop-" + d.config().id());
      t.start();
      stopping.add(t);
    }
    for (PartitionLeases lease : leases) {
      // Revokes the partitions, stopping the reader first, then hands them to the other nodes at once.
      Thread t = new Thread(lease::close, "stop-lease");
      t.start();
      stopping.add(t);
    }
    for (Thread t : stopping) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    listeners.forEach(LeasedDelivery::close);
    http.close();
    if (pause.store() instanceof PostgresPauses pg) {
      pg.close();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }
}
