package io.trackside.destination;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.trackside.log.EventLog;
import io.trackside.log.LogConsumer;
import io.trackside.log.LogUnavailableException;
import io.trackside.log.StoredRecord;
import io.trackside.pipeline.BackgroundPriority;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One destination's reader of the enriched log: its own consumer group, so a slow or dead
 * platform never holds up ingest, the warehouse or another destination. Reads a batch, has the
 * {@link BatchSender} settle it, stores the dead letters, then commits the position up to the
 * first unsettled event of each partition. A crash or stop in between means the uncommitted
 * events are sent again (at-least-once; the stable event id lets platforms drop the repeat).
 *
 * <p>On several nodes ({@link LeasedDelivery}) each node reads only the partitions it leases for
 * this destination, in the same consumer group: the positions are the group's, in the shared
 * log, so the node that takes a partition over starts where the last one committed.
 */
final class Delivery {
  private static final Logger log = LoggerFactory.getLogger(Delivery.class);
  static final String GROUP_PREFIX = "destination.";

  private final DestinationConfig config;
  private final Destination destination;
  private final EventLog enriched;
  private final DeadLetterStore deadLetters;
  private final DestinationMetrics metrics;
  private final CircuitBreaker breaker;
  private final BatchSender sender;
  private final ExecutorService senders;
  private final PauseSwitch pause;
  private final Object stopSignal = new Object();
  private final int pollSize;
  /** The reader of the partitions this node delivers now; null while it delivers none. */
  private volatile Reader reader;
  private volatile boolean stopped;
  private volatile boolean failed;

  /** One run of reading some partitions: a lease change stops it and starts another on the new set. */
  private static final class Reader {
    final Set<Integer> partitions;
    volatile boolean running = true;
    Thread thread;

    Reader(Set<Integer> partitions) {
      this.partitions = partitions;
    }
  }

  Delivery(DestinationConfig config, Destination destination, EventLog enriched, DeadLetterStore deadLetters,
           HttpSender http, MeterRegistry registry, Predicate<DeliveryEvent> erased, PauseSwitch pause) {
    this.config = config;
    this.destination = destination;
    this.enriched = enriched;
    this.deadLetters = deadLetters;
    this.pause = pause;
    this.metrics = new DestinationMetrics(config.id(), registry);
    this.breaker = new CircuitBreaker(5, Duration.ofSeconds(1), Duration.ofMinutes(2));
    this.senders = Executors.newFixedThreadPool(config.concurrency(), r -> {
      Thread t = new Thread(BackgroundPriority.lowered(r), "destination-" + config.id() + "-sender");
      t.setDaemon(true);
      return t;
    });
    this.sender = new BatchSender(config, destination, http, breaker, Backoff.DEFAULT, metrics, senders, erased,
        stopSignal);
    // One full request per sender per read: twice that measured no faster (DeliveryBench, webhook and
    // GA4) and a read window lives as long as its requests — minutes while the platform is down.
    int perRequest = config.maxEvents() > 0 ? Math.min(config.maxEvents(), destination.limits().maxEvents())
        : destination.limits().maxEvents();
    this.pollSize = Math.max(100, Math.min(5_000, perRequest * config.concurrency()));
    Gauge.builder("trackside.destination.lag", this, Delivery::lag)
        .description("events in the enriched log this destination has not settled yet")
        .tag("destination", config.id()).register(registry);
    Gauge.builder("trackside.destination.retrying", metrics.retrying, java.util.concurrent.atomic.AtomicLong::get)
        .description("events in requests that failed and wait for their next attempt")
        .tag("destination", config.id()).register(registry);
    Gauge.builder("trackside.destination.paused", pause, p -> p.paused(config.id()) ? 1 : 0)
        .description("1 while the destination is paused (events wait in the log)")
        .tag("destination", config.id()).register(registry);
    Gauge.builder("trackside.destination.circuit.open", breaker, b -> b.state() == CircuitBreaker.State.CLOSED ? 0 : 1)
        .description("1 while the circuit breaker holds requests back after repeated failures")
        .tag("destination", config.id()).register(registry);
  }

  String group() {
    return GROUP_PREFIX + config.id();
  }

  DestinationConfig config() {
    return config;
  }

  Destination destination() {
    return destination;
  }

  DestinationMetrics metrics() {
    return metrics;
  }

  BatchSender sender() {
    return sender;
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  /** Reads every partition: the only deliverer of this destination. */
  void start() {
    read(IntStream.range(0, enriched.partitions()).boxed().collect(Collectors.toSet()));
  }

  /**
   * Reads exactly these partitions from now on (their leases moved): the current reader lets its
   * requests in flight finish and commits what they settled, then a new one starts from the
   * committed positions. Empty: this node delivers none of them.
   */
  synchronized void read(Set<Integer> partitions) {
    stopReader(Duration.ofSeconds(10));
    if (stopped || partitions.isEmpty()) {
      return;
    }
    Reader next = new Reader(Set.copyOf(partitions));
    List<Integer> sorted = new ArrayList<>(new TreeSet<>(partitions));
    LogConsumer consumer = enriched.consumer(group(), sorted);
    try {
      // Positioned before this returns, so "from now on" means from the start, not from whenever the thread runs.
      startAtEndIfNew(consumer, sorted);
    } catch (RuntimeException e) {
      consumer.close();
      failed = true; // shows as stopped until the next change of partitions or restart
      throw e;
    }
    failed = false;
    next.thread = new Thread(BackgroundPriority.lowered(() -> run(consumer, next)), "destination-" + config.id());
    next.thread.setDaemon(true);
    reader = next;
    next.thread.start();
  }

  /** The partitions this node delivers now. */
  Set<Integer> partitions() {
    Reader r = reader;
    return r == null ? Set.of() : r.partitions;
  }

  /** Lets requests in flight finish (up to the timeout); unsettled events stay in the log for the next start. */
  void stop(Duration timeout) {
    stopped = true;
    synchronized (this) {
      stopReader(timeout);
    }
    senders.shutdownNow();
  }

  private void stopReader(Duration timeout) {
    Reader r = reader;
    if (r == null) {
      return;
    }
    reader = null;
    r.running = false;
    synchronized (stopSignal) {
      stopSignal.notifyAll();
    }
    breaker.wake();
    pause.wake();
    try {
      r.thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (r.thread.isAlive()) {
      r.thread.interrupt();
      try {
        r.thread.join(1000); // the next reader must not overlap with this one's commits
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  long lag() {
    long lag = 0;
    for (int p = 0; p < enriched.partitions(); p++) {
      lag += Math.max(0, enriched.endOffset(p) - enriched.committedOffset(group(), p));
    }
    return lag;
  }

  /** ok, paused, retrying, circuit_open or stopped: one word for the API. */
  String state() {
    if (stopped || failed) {
      return "stopped";
    }
    if (partitions().isEmpty()) {
      return "standby"; // other nodes deliver its partitions now
    }
    if (pause.paused(config.id())) {
      return "paused";
    }
    if (breaker.state() != CircuitBreaker.State.CLOSED) {
      return "circuit_open";
    }
    return metrics.retrying.get() > 0 ? "retrying" : "ok";
  }

  private void run(LogConsumer opened, Reader me) {
    try (LogConsumer consumer = opened) {
      while (me.running) {
        if (pause.paused(config.id())) {
          pause.awaitResume(config.id(), () -> !me.running);
          continue;
        }
        List<StoredRecord> records = consumer.poll(pollSize, Duration.ofMillis(200));
        if (records.isEmpty()) {
          continue;
        }
        records = lingerForMore(consumer, records, me);
        if (pause.paused(config.id())) {
          // Paused while this poll was waiting: these events wait in the log like the rest.
          rewindTo(consumer, records);
          continue;
        }
        List<DeliveryItem> items = new ArrayList<>(records.size());
        for (StoredRecord r : records) {
          items.add(new DeliveryItem(r.partition(), r.offset(), r.value()));
        }
        List<DeadLetter> dead = sender.settle(items, () -> !me.running);
        if (!storeUntilDone(dead, me)) {
          return;
        }
        dead.forEach(d -> metrics.deadLettered(d.reason()));
        Map<Integer, Long> settledUpTo = settledPrefix(items);
        if (!settledUpTo.isEmpty() && !commitUntilDone(consumer, settledUpTo, me)) {
          return;
        }
        if (!allSettled(items)) {
          // Stopping with events unsettled: re-read them from the log on the next start.
          for (Map.Entry<Integer, Long> p : firstUnsettled(items).entrySet()) {
            consumer.seek(p.getKey(), p.getValue());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      metrics.lastError = "delivery stopped: " + e;
      log.error("Destination {} stopped: {}. Its events are safe in the log; restart Trackside.", config.id(),
          e.toString(), e);
      failed = true;
    }
  }

  private static void rewindTo(LogConsumer consumer, List<StoredRecord> records) {
    Map<Integer, Long> first = new HashMap<>();
    for (StoredRecord r : records) {
      first.merge(r.partition(), r.offset(), Math::min);
    }
    first.forEach(consumer::seek);
  }

  /**
   * A new destination starts with the events that arrive from now on, not with the log's whole
   * history. Decided per partition: with leases, each node takes its partitions at its own time.
   */
  private void startAtEndIfNew(LogConsumer consumer, List<Integer> partitions) {
    Map<Integer, Long> ends = new HashMap<>();
    for (int p : partitions) {
      if (enriched.hasCommitted(group(), p)) {
        continue;
      }
      long end = enriched.endOffset(p);
      ends.put(p, end);
      consumer.seek(p, end);
    }
    if (ends.isEmpty()) {
      return;
    }
    consumer.commit(ends);
    log.info("Destination {} ({}) starts with events arriving from now on", config.id(), destination.type());
  }

  private List<StoredRecord> lingerForMore(LogConsumer consumer, List<StoredRecord> first, Reader me)
      throws InterruptedException {
    if (first.size() >= pollSize || config.linger().isZero()) {
      return first;
    }
    List<StoredRecord> all = new ArrayList<>(first);
    long deadline = System.nanoTime() + config.linger().toNanos();
    while (me.running && all.size() < pollSize) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      all.addAll(consumer.poll(pollSize - all.size(), Duration.ofNanos(left)));
    }
    return all;
  }

  /** Returns false when stopping while the warehouse refuses the dead letters (the batch is then read again). */
  private boolean storeUntilDone(List<DeadLetter> dead, Reader me) throws InterruptedException {
    long backoff = 500;
    while (true) {
      try {
        deadLetters.add(dead);
        return true;
      } catch (SQLException | RuntimeException e) {
        metrics.failedAttempt("storing dead letters failed: " + e.getMessage());
        log.error("Destination {}: storing {} dead letters failed ({}); retrying in {} ms", config.id(),
            dead.size(), e.getMessage(), backoff);
        synchronized (stopSignal) {
          if (!me.running) {
            return false;
          }
          TimeUnit.MILLISECONDS.timedWait(stopSignal, backoff);
        }
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  /**
   * Commits, retrying while the log refuses (a Kafka outage): what was settled is not sent again
   * unless this stops first, and the delivery carries on once the brokers are back. Returns false
   * when stopping (the next reader sends the uncommitted events again).
   */
  private boolean commitUntilDone(LogConsumer consumer, Map<Integer, Long> offsets, Reader me)
      throws InterruptedException {
    long backoff = 500;
    while (true) {
      try {
        consumer.commit(offsets);
        return true;
      } catch (LogUnavailableException e) {
        metrics.failedAttempt("committing the position failed: " + e.getMessage());
        log.warn("Destination {}: committing its position failed ({}); retrying in {} ms", config.id(),
            e.getMessage(), backoff);
        synchronized (stopSignal) {
          if (!me.running) {
            return false;
          }
          TimeUnit.MILLISECONDS.timedWait(stopSignal, backoff);
        }
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  /** Per partition, the offset after the last event of an unbroken run of settled events from the start. */
  static Map<Integer, Long> settledPrefix(List<DeliveryItem> items) {
    Map<Integer, Long> next = new HashMap<>();
    Map<Integer, Boolean> broken = new HashMap<>();
    for (DeliveryItem item : items) { // in log order within each partition
      if (broken.getOrDefault(item.partition, false)) {
        continue;
      }
      if (item.settled) {
        next.put(item.partition, item.offset + 1);
      } else {
        broken.put(item.partition, true);
      }
    }
    return next;
  }

  private static Map<Integer, Long> firstUnsettled(List<DeliveryItem> items) {
    Map<Integer, Long> first = new HashMap<>();
    for (DeliveryItem item : items) {
      if (!item.settled) {
        first.putIfAbsent(item.partition, item.offset);
      }
    }
    return first;
  }

  private static boolean allSettled(List<DeliveryItem> items) {
    for (DeliveryItem item : items) {
      if (!item.settled) {
        return false;
      }
    }
    return true;
  }
}
