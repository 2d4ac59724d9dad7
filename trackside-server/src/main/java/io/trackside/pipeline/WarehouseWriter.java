package io.trackside.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import io.trackside.core.ReceivedEvent;
import io.trackside.core.SegmentEvents;
import io.trackside.log.EventLog;
import io.trackside.log.LogConsumer;
import io.trackside.log.StoredRecord;
import io.trackside.warehouse.Warehouse;
import io.trackside.warehouse.WriteFence;
import io.trackside.warehouse.LoggedEvent;
import io.trackside.warehouse.QuarantinedRecord;
import io.trackside.warehouse.WarehouseBatch;
import io.trackside.warehouse.WriteResult;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves events from the log into the warehouse: a pool of worker threads in consumer group
 * {@value #GROUP}; partition p belongs to worker p % workers, so each partition has one writer
 * and its events stay in order. With several nodes on one log, a writer takes only the
 * partitions its node leases ({@link Config#withPartitions}).
 *
 * <p>Each worker reads a batch, decodes it (anything undecodable becomes a quarantine row; one
 * bad record never stops the worker), writes rows and new positions to the warehouse in one
 * transaction, and only then commits the same positions to the log (which drives retention and
 * lag). The warehouse's positions are the truth: on start each worker seeks to them, so a crash
 * between the two commits costs nothing and writes nothing twice.
 *
 * <p>When the warehouse refuses a write (disk full, ...) the worker retries the same batch with
 * growing pauses and never skips it: the events wait in the log, and ingest is not affected.
 */
public final class WarehouseWriter implements AutoCloseable {

  public static final String GROUP = "warehouse";

  /**
   * @param workers      worker threads, each with its own warehouse connection
   * @param maxBatch     records read and written per transaction at most
   * @param pollTimeout  how long a poll waits for records; bounds the delay of a stop
   * @param maxBackoff   the longest pause between retries of a failing write
   * @param stopTimeout  how long {@link #stop()} waits for the current batches to be written
   * @param linger       how long a worker keeps gathering records after the first arrives
   *                     before it writes them: each DuckDB commit costs an fsync and CPU, so a
   *                     trickle written record by record would starve the collector of both
   * @param partitions   the log partitions this writer works on, or null for all of them; with
   *                     several nodes on one log, each writes only the partitions it leases
   * @param fence        checked by the warehouse in every write's transaction (the lease of those
   *                     partitions); null when this node is the only writer
   */
  public record Config(int workers, int maxBatch, Duration pollTimeout, Duration maxBackoff, Duration stopTimeout,
                       Duration linger, Set<Integer> partitions, WriteFence fence) {
    public Config {
      if (workers < 1 || maxBatch < 1) {
        throw new IllegalArgumentException("workers and maxBatch must be at least 1");
      }
      partitions = partitions == null ? null : Set.copyOf(partitions);
    }

    /** Every partition of the log. */
    public Config(int workers, int maxBatch, Duration pollTimeout, Duration maxBackoff, Duration stopTimeout,
                  Duration linger) {
      this(workers, maxBatch, pollTimeout, maxBackoff, stopTimeout, linger, null, null);
    }

    public static Config defaults() {
      return new Config(2, 5000, Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(10),
          Duration.ofMillis(250));
    }

    public Config withWorkers(int n) {
      return new Config(n, maxBatch, pollTimeout, maxBackoff, stopTimeout, linger, partitions, fence);
    }

    public Config withLinger(Duration d) {
      return new Config(workers, maxBatch, pollTimeout, maxBackoff, stopTimeout, d, partitions, fence);
    }

    /** Only these partitions (null: all). */
    public Config withPartitions(Set<Integer> only) {
      return new Config(workers, maxBatch, pollTimeout, maxBackoff, stopTimeout, linger, only, fence);
    }

    /** Every write checks this in its transaction (see {@link WriteFence}). */
    public Config withFence(WriteFence check) {
      return new Config(workers, maxBatch, pollTimeout, maxBackoff, stopTimeout, linger, partitions, check);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(WarehouseWriter.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

  private final EventLog eventLog;
  private final Warehouse warehouse;
  private final Pipeline.Factory pipelines;
  private final Config config;
  private final MeterRegistry registry;
  private final Counter written;
  private final Counter writeFailures;
  private final Timer writeTimer;
  private final Timer latency;
  private final AtomicLong lastReceivedAtMillis = new AtomicLong();
  private final Gauge lastReceivedGauge;
  private final Map<String, Counter> quarantinedByReason = new ConcurrentHashMap<>();
  private final Map<String, Counter> droppedByReason = new ConcurrentHashMap<>();
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;
  private volatile String failing;
  private volatile Warehouse.BeforeCommit beforeCommit;
  private volatile java.util.function.Consumer<List<LoggedEvent>> afterCommit;

  public WarehouseWriter(EventLog eventLog, Warehouse warehouse, Pipeline.Factory pipelines,
                         MeterRegistry registry, Config config) {
    this.eventLog = eventLog;
    this.warehouse = warehouse;
    this.pipelines = pipelines;
    this.config = config;
    this.registry = registry;
    this.written = Counter.builder("trackside.warehouse.written.events")
        .description("events written to the warehouse").register(registry);
    this.writeFailures = Counter.builder("trackside.warehouse.write.failures")
        .description("warehouse writes that failed and will be retried").register(registry);
    this.writeTimer = Timer.builder("trackside.warehouse.write")
        .description("time to write one batch and its log positions in one transaction").register(registry);
    this.latency = Timer.builder("trackside.pipeline.latency")
        .description("from receipt by the collector to committed in the warehouse, per event")
        .publishPercentiles(0.5, 0.99)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry);
    this.lastReceivedGauge = Gauge
        .builder("trackside.warehouse.last.received.at", lastReceivedAtMillis, ms -> ms.get() / 1000.0)
        .description("receivedAt of the newest event written to the warehouse (epoch seconds)")
        .baseUnit("seconds")
        .register(registry);
  }

  /** Before each commit, hands the events to be stored to this (the enriched log for destinations). Call before start. */
  public void forwardTo(Warehouse.BeforeCommit forwarder) {
    this.beforeCommit = forwarder;
  }

  /**
   * After each commit, hands the events just stored to this (the dashboard's live stream). Runs on
   * the worker thread, so it must not block. Call before start.
   */
  public void afterCommit(java.util.function.Consumer<List<LoggedEvent>> listener) {
    this.afterCommit = listener;
  }

  /**
   * Seeks every owned partition to the position the warehouse holds (else the log's committed
   * offset) and starts the workers. Fails fast when the warehouse cannot say its positions.
   */
  public synchronized void start() {
    if (running || !threads.isEmpty()) {
      throw new IllegalStateException("already started");
    }
    pipelines.writerStarting();
    Map<Integer, Long> stored;
    try {
      if (config.partitions() != null) {
        warehouse.writingPartitions(config.partitions());
      }
      stored = warehouse.positions(GROUP);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the warehouse's log positions: " + e.getMessage(), e);
    }
    running = true;
    List<Integer> partitions = new ArrayList<>();
    for (int p = 0; p < eventLog.partitions(); p++) {
      if (config.partitions() == null || config.partitions().contains(p)) {
        partitions.add(p);
      }
    }
    for (int w = 0; w < config.workers(); w++) {
      // The i-th partition to worker i % workers: with all partitions that is p % workers, and a
      // leased subset still spreads evenly over the workers.
      List<Integer> owned = new ArrayList<>();
      for (int i = w; i < partitions.size(); i += config.workers()) {
        owned.add(partitions.get(i));
      }
      if (owned.isEmpty()) {
        log.info("Warehouse worker {} has no partitions ({} partitions, {} workers); not started",
            w, partitions.size(), config.workers());
        continue;
      }
      LogConsumer consumer = eventLog.consumer(GROUP, owned);
      for (int p : owned) {
        Long position = stored.get(p);
        consumer.seek(p, position != null ? position : eventLog.committedOffset(GROUP, p));
      }
      Pipeline pipeline = pipelines.create(w);
      Thread thread = new Thread(BackgroundPriority.lowered(() -> run(consumer, pipeline)), "trackside-warehouse-" + w);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
      log.info("Warehouse worker {} started for partitions {}", w, owned);
    }
  }

  /**
   * Lets each worker finish, write and commit its current batch, then waits for it (bounded).
   * A stopped writer does not start again; create a new one.
   */
  public void stop() {
    stop(config.stopTimeout());
  }

  public synchronized void stop(Duration timeout) {
    running = false;
    stopSignal.countDown();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread thread : threads) {
      try {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (thread.isAlive()) {
        // Whatever it holds is still in the log, uncommitted, and will be read again.
        log.warn("{} did not finish its batch within {}; interrupting it", thread.getName(), timeout);
        thread.interrupt();
      }
    }
    // A gauge holds on to its object: a writer started later in this process registers its own.
    registry.remove(lastReceivedGauge);
  }

  @Override
  public void close() {
    stop();
  }

  /** Null when writing works, otherwise why not, for /readyz. */
  public String check() {
    return failing;
  }

  private void run(LogConsumer consumer, Pipeline pipeline) {
    try (consumer) {
      while (running) {
        List<StoredRecord> records = poll(consumer);
        if (records.isEmpty()) {
          continue;
        }
        WarehouseBatch batch = toBatch(records, pipeline);
        if (!writeUntilDone(batch)) {
          return; // stopping while the warehouse fails: the batch stays uncommitted in the log
        }
        try {
          consumer.commit(batch.nextOffsets());
        } catch (RuntimeException e) {
          // The warehouse holds the position, so nothing is lost or duplicated; only the log's
          // view of our lag (and its retention) falls behind until the next commit.
          log.warn("Committing warehouse positions {} to the event log failed: {}", batch.nextOffsets(), e.toString());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (PipelineInterruptedException e) {
      // Stopped while a step waited (the user-agent warm-up): the batch in hand is dropped
      // uncommitted and read again, whole, on the next start.
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      failing = "warehouse worker " + Thread.currentThread().getName() + " died: " + e;
      log.error("Warehouse worker died; events are safe in the log but the warehouse stops following it."
          + " Restart Trackside.", e);
    }
  }

  /** Up to maxBatch records: what the first poll brings, plus what arrives within the linger. */
  private List<StoredRecord> poll(LogConsumer consumer) throws InterruptedException {
    List<StoredRecord> first = pollOnce(consumer, config.maxBatch(), config.pollTimeout());
    if (first.isEmpty() || first.size() >= config.maxBatch() || config.linger().isZero()) {
      return first;
    }
    List<StoredRecord> all = new ArrayList<>(first);
    long deadline = System.nanoTime() + config.linger().toNanos();
    while (running && all.size() < config.maxBatch()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      all.addAll(pollOnce(consumer, config.maxBatch() - all.size(), Duration.ofNanos(left)));
    }
    return all;
  }

  private List<StoredRecord> pollOnce(LogConsumer consumer, int max, Duration timeout) throws InterruptedException {
    long backoffMillis = FIRST_BACKOFF.toMillis();
    while (running) {
      try {
        return consumer.poll(max, timeout);
      } catch (RuntimeException e) {
        log.error("Reading the event log failed: {}; retrying in {} ms", e.toString(), backoffMillis);
        if (stopSignal.await(backoffMillis, TimeUnit.MILLISECONDS)) {
          break;
        }
        backoffMillis = Math.min(backoffMillis * 2, config.maxBackoff().toMillis());
      }
    }
    return List.of();
  }

  private WarehouseBatch toBatch(List<StoredRecord> records, Pipeline pipeline) {
    List<LoggedEvent> events = new ArrayList<>(records.size());
    List<QuarantinedRecord> quarantined = new ArrayList<>();
    Map<Integer, Long> nextOffsets = new HashMap<>();
    for (StoredRecord record : records) {
      nextOffsets.merge(record.partition(), record.offset() + 1, Math::max);
      ReceivedEvent received;
      try {
        received = ReceivedEvent.decode(record.value());
      } catch (RuntimeException e) {
        // No payload: the record is not ours to read, and raw bytes could hold a full client address.
        quarantined.add(new QuarantinedRecord(Instant.ofEpochMilli(record.timestampMillis()), null, "undecodable",
            "the log record is not a ReceivedEvent (" + record.value().length + " bytes): " + e.getMessage(), null,
            null, record.partition(), record.offset()));
        continue;
      }
      Instant receivedAt = Instant.ofEpochMilli(received.receivedAtMillis());
      // What a replay of a quarantined event needs of the request: the address only truncated.
      String ip = IpAddresses.truncate(received.clientIp());
      if (received.quarantined()) {
        quarantined.add(new QuarantinedRecord(receivedAt, received.source(), received.quarantineReason(),
            received.quarantineDetail(), messageIdIfReadable(received), QuarantinePayloads.scrub(received.json()),
            record.partition(), record.offset(), ip, received.userAgent()));
        continue;
      }
      Event event;
      try {
        event = SegmentEvents.decode(received);
      } catch (RuntimeException e) {
        quarantined.add(new QuarantinedRecord(receivedAt, received.source(), "undecodable", e.getMessage(),
            null, QuarantinePayloads.scrub(received.json()), record.partition(), record.offset(), ip, received.userAgent()));
        continue;
      }
      EnrichedEvent enriched = pipeline.process(event);
      if (enriched.quarantineReason() != null) {
        quarantined.add(new QuarantinedRecord(receivedAt, received.source(), enriched.quarantineReason(),
            enriched.quarantineDetail(), event.messageId(), QuarantinePayloads.scrub(received.json()), record.partition(), record.offset(),
            ip, received.userAgent()));
      } else if (enriched.dropReason() != null) {
        // Not stored anywhere, by design (a suppressed person, a bot the operator drops): only counted.
        dropped(enriched.dropReason(), 1);
      } else {
        events.add(new LoggedEvent(enriched, record.partition(), record.offset()));
      }
    }
    return new WarehouseBatch(GROUP, events, quarantined, nextOffsets, config.fence());
  }

  private void dropped(String reason, int n) {
    droppedByReason.computeIfAbsent(reason, r -> Counter.builder("trackside.pipeline.dropped")
        .description("events the pipeline deliberately did not store, by reason")
        .tag("reason", r)
        .register(registry)).increment(n);
  }

  private static String messageIdIfReadable(ReceivedEvent received) {
    try {
      return SegmentEvents.decode(received).messageId();
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  /** Returns false only when told to stop while the warehouse keeps failing. */
  private boolean writeUntilDone(WarehouseBatch batch) throws InterruptedException {
    long backoffMillis = FIRST_BACKOFF.toMillis();
    while (true) {
      long started = System.nanoTime();
      WriteResult result;
      // The warehouse names the events it stores (not duplicates, not suppressed) only to the
      // before-commit hook; keep them for the after-commit listener.
      List<List<LoggedEvent>> stored = new ArrayList<>(1);
      Warehouse.BeforeCommit forward = beforeCommit;
      Warehouse.BeforeCommit hook = afterCommit == null ? forward : fresh -> {
        if (forward != null) {
          forward.accept(fresh);
        }
        stored.add(fresh);
      };
      try {
        result = warehouse.write(batch, hook);
      } catch (SQLException | RuntimeException e) {
        writeFailures.increment();
        failing = "writing to the warehouse fails: " + e.getMessage();
        log.error("Writing {} records (log positions {}) to the warehouse failed: {}. Nothing of the batch was"
                + " written and it stays in the event log; retrying the same batch in {} s. If this persists,"
                + " check free disk space and permissions of the warehouse file and the DuckDB message;"
                + " ingest continues meanwhile.",
            batch.size(), batch.nextOffsets(), e.getMessage(), backoffMillis / 1000.0);
        if (stopSignal.await(backoffMillis, TimeUnit.MILLISECONDS)) {
          log.warn("Stopping: the unwritten batch stays in the log and is written on the next start");
          return false;
        }
        backoffMillis = Math.min(backoffMillis * 2, config.maxBackoff().toMillis());
        continue;
      }
      long committedAt = System.currentTimeMillis();
      writeTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      if (failing != null) {
        log.info("Writing to the warehouse works again");
        failing = null;
      }
      account(batch, result, committedAt);
      if (afterCommit != null && !stored.isEmpty()) {
        try {
          afterCommit.accept(stored.get(stored.size() - 1));
        } catch (RuntimeException e) {
          log.warn("The after-commit listener failed: {}", e.toString()); // the events are stored all the same
        }
      }
      return true;
    }
  }

  private void account(WarehouseBatch batch, WriteResult result, long committedAt) {
    written.increment(result.written());
    // Suppressed by a deletion after the pipeline looked (the warehouse checks again): dropped too.
    int suppressed = result.suppressed() + result.suppressedQuarantine().size();
    if (suppressed > 0) {
      dropped(SuppressionCheck.REASON, suppressed);
    }
    for (QuarantinedRecord q : batch.quarantined()) {
      if (!result.suppressedQuarantine().isEmpty() && result.suppressedQuarantine().contains(q)) {
        continue;
      }
      String reason = q.reason() == null ? "unknown" : q.reason();
      quarantinedByReason.computeIfAbsent(reason, r -> Counter.builder("trackside.warehouse.quarantined")
          .description("records written to the quarantine table, by reason")
          .tag("reason", r)
          .register(registry)).increment();
    }
    long newest = 0;
    for (LoggedEvent logged : batch.events()) {
      long receivedAt = logged.event().receivedAt().toEpochMilli();
      newest = Math.max(newest, receivedAt);
      latency.record(Math.max(0, committedAt - receivedAt), TimeUnit.MILLISECONDS);
    }
    lastReceivedAtMillis.accumulateAndGet(newest, Math::max);
  }
}
