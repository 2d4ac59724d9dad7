package io.trackside.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.ReceivedEvent;
import io.trackside.core.SegmentEvents;
import io.trackside.pipeline.Pipeline;
import io.trackside.pipeline.StepTimings;
import io.trackside.server.PipelineSetup;
import io.trackside.warehouse.DuckDbWarehouse;
import io.trackside.warehouse.LoggedEvent;
import io.trackside.warehouse.WarehouseBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The whole pipeline on ONE worker thread, as the warehouse worker runs it: decode the log
 * record → every configured step → DuckDB in batches (one transaction each). Events come from
 * {@link RealisticTraffic}. Prints events/s for the whole path and the cost of each step.
 *
 * <p>Usage: {@code PipelineBench EVENTS [CONFIG_FILE]} — the config file supplies the pipeline's
 * settings (geo databases, tracking plan, ...) exactly as {@code trackside serve} reads them.
 */
public final class PipelineBench {

  private static final int BATCH = 5000;
  private static long decodeNanos;
  private static long stepsNanos;
  private static long writeNanos;

  public static void main(String[] args) throws Exception {
    int events = Integer.parseInt(args[0]);
    Path work = Files.createTempDirectory("trackside-pipeline-bench");
    Path config = args.length > 1 ? Path.of(args[1]) : work.resolve("trackside.yml");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    StepTimings timings = new StepTimings(registry);

    // The records as the collector stored them, made before the clock starts.
    RealisticTraffic traffic = new RealisticTraffic(42);
    List<byte[]> records = new ArrayList<>(events);
    long receivedAt = System.currentTimeMillis();
    for (int i = 0; i < events; i++) {
      RealisticTraffic.Hit hit = traffic.next();
      records.add(new ReceivedEvent(receivedAt, "web", hit.ip(), hit.userAgent(), null, null,
          hit.json().getBytes(StandardCharsets.UTF_8)).encode());
    }

    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(work.resolve("warehouse.duckdb"), registry)) {
      try (PipelineSetup setup = PipelineSetup.fromConfigFile(config, work.resolve("data"), warehouse, timings)) {
        Pipeline pipeline = setup.factory().create(0);
        // Warm-up on a copy of the first events: JIT, caches and any background initialisation.
        int warm = Math.min(events, 50_000);
        run(pipeline, null, records.subList(0, warm), 0);
        Map<String, Long> before = timings.snapshot();

        decodeNanos = stepsNanos = writeNanos = 0;
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStarted = threads.getCurrentThreadCpuTime();
        long started = System.nanoTime();
        long stored = run(pipeline, warehouse, records, 0);
        long elapsed = System.nanoTime() - started;
        long cpu = threads.getCurrentThreadCpuTime() - cpuStarted;

        System.out.printf("pipeline_events %d%n", events);
        System.out.printf("pipeline_stored %d%n", stored);
        System.out.printf("pipeline_events_per_s %.0f (decode + %d steps + DuckDB, one thread)%n",
            events / (elapsed / 1e9), pipeline.stepNames().size());
        // On a shared machine the wall clock also counts waiting for a core; the thread's CPU
        // time does not, so it is the steadier figure to compare two builds by.
        System.out.printf("pipeline_cpu_per_event %.1f us (the worker thread's CPU time; %.0f events/s of it)%n",
            cpu / 1e3 / events, events / (cpu / 1e9));
        System.out.printf("phase decode   %8.0f ns/event%n", decodeNanos / (double) events);
        System.out.printf("phase steps    %8.0f ns/event%n", stepsNanos / (double) events);
        System.out.printf("phase duckdb   %8.0f ns/event%n", writeNanos / (double) events);
        Map<String, Long> after = timings.snapshot();
        for (String step : pipeline.stepNames()) {
          long nanos = after.getOrDefault(step, 0L) - before.getOrDefault(step, 0L);
          System.out.printf("step %-16s %8.0f ns/event%n", step, nanos / (double) events);
        }
      }
    }
  }

  /** Runs the records through the pipeline and, when given a warehouse, writes them; returns events stored. */
  private static long run(Pipeline pipeline, DuckDbWarehouse warehouse, List<byte[]> records, int partition)
      throws Exception {
    long stored = 0;
    List<LoggedEvent> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < records.size(); i++) {
      long t0 = System.nanoTime();
      ReceivedEvent received = ReceivedEvent.decode(records.get(i));
      io.trackside.core.Event event = SegmentEvents.decode(received);
      long t1 = System.nanoTime();
      EnrichedEvent enriched = pipeline.process(event);
      long t2 = System.nanoTime();
      decodeNanos += t1 - t0;
      stepsNanos += t2 - t1;
      if (!enriched.decided()) {
        batch.add(new LoggedEvent(enriched, partition, i));
      }
      if (warehouse != null && (batch.size() == BATCH || i == records.size() - 1)) {
        long t3 = System.nanoTime();
        stored += warehouse.write(new WarehouseBatch("bench", batch, List.of(), Map.of(partition, (long) i + 1)))
            .written();
        writeNanos += System.nanoTime() - t3;
        batch.clear();
      } else if (warehouse == null && batch.size() == BATCH) {
        batch.clear();
      }
    }
    return stored;
  }
}
