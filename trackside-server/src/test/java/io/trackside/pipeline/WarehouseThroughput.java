package io.trackside.pipeline;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.ReceivedEvent;
import io.trackside.log.InMemoryEventLog;
import io.trackside.log.LogRecord;
import io.trackside.warehouse.DuckDbWarehouse;
import io.trackside.warehouse.TestEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A by-hand measurement, not a test: how many ~550-byte events per second the warehouse writer
 * moves from an in-memory log into DuckDB (decoding included), and the receive-to-queryable
 * latency at a steady rate.
 *
 * <pre>
 * java -cp ... io.trackside.pipeline.WarehouseThroughput EVENTS WORKERS PARTITIONS MAX_BATCH [RATE]
 * </pre>
 * Without RATE the log is filled first and the writer drains it (throughput); with RATE events
 * per second are appended while the writer runs (latency).
 */
public final class WarehouseThroughput {

  public static void main(String[] args) throws Exception {
    int events = Integer.parseInt(args[0]);
    int workers = Integer.parseInt(args[1]);
    int partitions = Integer.parseInt(args[2]);
    int maxBatch = Integer.parseInt(args[3]);
    int rate = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    Path dir = Files.createTempDirectory("trackside-throughput");
    Path file = dir.resolve("warehouse.duckdb");
    InMemoryEventLog log = new InMemoryEventLog(partitions);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    // The user-agent analyzer warms up in the background; a running server has long finished that.
    UserAgentParser.shared().awaitReady(java.time.Duration.ofMinutes(5));
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file, registry)) {
      if (rate > 0) { // warm the JIT up first, so the figures describe a running server
        WarehouseWriter warmUp = writer(log, warehouse, new SimpleMeterRegistry(), workers, maxBatch);
        warmUp.start();
        offer(log, 0, rate * 3, rate);
        while (warehouse.countEvents() < rate * 3) {
          Thread.sleep(5);
        }
        warmUp.stop();
      }
      long already = warehouse.countEvents();
      WarehouseWriter writer = writer(log, warehouse, registry, workers, maxBatch);
      long started;
      if (rate == 0) {
        fill(log, 0, events);
        started = System.nanoTime();
        writer.start();
      } else {
        writer.start();
        started = System.nanoTime();
        offer(log, (int) already, (int) already + events, rate);
      }
      while (warehouse.countEvents() < already + events) {
        Thread.sleep(5);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      writer.stop();
      Timer write = registry.get("trackside.warehouse.write").timer();
      System.out.printf("%d events (~%d bytes of JSON each), %d partitions, %d workers, batches of at most %d%s%n",
          events, TestEvents.track("m-0000000-00000000000000", "anon-00000").length(), partitions, workers, maxBatch,
          rate == 0 ? ", log filled first" : ", offered at " + rate + "/s after a 3 s warm-up");
      System.out.printf("written in %.2f s: %.0f events/s; %d batches, mean batch write %.1f ms, max %.1f ms%n",
          seconds, events / seconds, write.count(), write.mean(TimeUnit.MILLISECONDS), write.max(TimeUnit.MILLISECONDS));
      for (ValueAtPercentile p : registry.get("trackside.pipeline.latency").timer().takeSnapshot().percentileValues()) {
        System.out.printf("receive-to-queryable p%.0f: %.0f ms%n", p.percentile() * 100, p.value(TimeUnit.MILLISECONDS));
      }
    }
    System.out.printf("database file: %d MB%n", Files.size(file) / 1_000_000);
    long reopenStarted = System.nanoTime();
    DuckDbWarehouse.open(file, new SimpleMeterRegistry()).close();
    System.out.printf("reopen, reloading the dedupe window: %d ms%n", (System.nanoTime() - reopenStarted) / 1_000_000);
  }

  private static WarehouseWriter writer(InMemoryEventLog log, DuckDbWarehouse warehouse, SimpleMeterRegistry registry,
                                        int workers, int maxBatch) {
    WarehouseWriter.Config defaults = WarehouseWriter.Config.defaults();
    return new WarehouseWriter(log, warehouse,
        new StandardPipeline(PipelineConfig.defaults(), new StepTimings(registry)), registry, new WarehouseWriter.Config(
        workers, maxBatch, defaults.pollTimeout(), defaults.maxBackoff(), defaults.stopTimeout(), defaults.linger()));
  }

  /** Appends events from..to at the given rate, in ticks of 10 ms. */
  private static void offer(InMemoryEventLog log, int from, int to, int rate) throws InterruptedException {
    long started = System.nanoTime();
    int perTick = Math.max(1, rate / 100);
    for (int sent = from; sent < to; sent += perTick) {
      fill(log, sent, Math.min(to, sent + perTick));
      long due = started + (long) ((sent - from + perTick) * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
  }

  private static void fill(InMemoryEventLog log, int from, int to) {
    List<LogRecord> records = new ArrayList<>();
    for (int i = from; i < to; i++) {
      String visitor = "anon-" + (i % 50_000);
      String json = TestEvents.track(String.format("m-%07d-%016x", i, i * 0x9E3779B97F4A7C15L), visitor);
      ReceivedEvent e = TestEvents.received("web", json, System.currentTimeMillis());
      records.add(new LogRecord(visitor, e.receivedAtMillis(), e.encode()));
      if (records.size() == 10_000) {
        log.append(records).join();
        records.clear();
      }
    }
    log.append(records).join();
  }
}
