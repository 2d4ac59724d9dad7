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
 * The DuckDB write alone: {@code EVENTS} events of {@link RealisticTraffic} are run through the
 * pipeline first (config as for {@link PipelineBench}), then written ROUNDS times into a fresh
 * warehouse each, in batches of 5,000 as the worker writes them. Prints wall time and the
 * writing thread's and the process's CPU time per event; on a shared machine the thread's CPU
 * time is the steadier figure.
 *
 * <p>Usage: {@code WriteBench EVENTS CONFIG_FILE ROUNDS}
 */
public final class WriteBench {
  public static void main(String[] args) throws Exception {
    int events = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[2]);
    Path work = Files.createTempDirectory("trackside-write-bench");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    StepTimings timings = new StepTimings(registry);
    RealisticTraffic traffic = new RealisticTraffic(42);
    List<LoggedEvent> logged = new ArrayList<>(events);
    long receivedAt = System.currentTimeMillis();
    try (DuckDbWarehouse scratch = DuckDbWarehouse.open(work.resolve("scratch.duckdb"), registry);
         PipelineSetup setup = PipelineSetup.fromConfigFile(Path.of(args[1]), work.resolve("data"), scratch, timings)) {
      Pipeline pipeline = setup.factory().create(0);
      for (int i = 0; i < events; i++) {
        RealisticTraffic.Hit hit = traffic.next();
        byte[] rec = new ReceivedEvent(receivedAt, "web", hit.ip(), hit.userAgent(), null, null,
            hit.json().getBytes(StandardCharsets.UTF_8)).encode();
        EnrichedEvent x = pipeline.process(SegmentEvents.decode(ReceivedEvent.decode(rec)));
        if (!x.decided()) logged.add(new LoggedEvent(x, 0, i));
      }
    }
    System.out.println("enriched " + logged.size());
    for (int r = 0; r < rounds; r++) {
      Path file = work.resolve("w" + r + ".duckdb");
      try (DuckDbWarehouse w = DuckDbWarehouse.open(file, registry)) {
        long t0 = System.nanoTime();
        var tmx = java.lang.management.ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long c0 = tmx.getCurrentThreadCpuTime(), p0 = os.getProcessCpuTime();
        long max = 0;
        long stored = 0;
        for (int from = 0; from < logged.size(); from += 5000) {
          List<LoggedEvent> b = logged.subList(from, Math.min(logged.size(), from + 5000));
          long s = System.nanoTime();
          stored += w.write(new WarehouseBatch("bench", new ArrayList<>(b), List.of(), Map.of(0, (long) from + b.size()))).written();
          max = Math.max(max, System.nanoTime() - s);
        }
        long el = System.nanoTime() - t0;
        long c = tmx.getCurrentThreadCpuTime() - c0, p = os.getProcessCpuTime() - p0;
        System.out.printf("round %d: %d stored, wall %.1f us/event, thread cpu %.1f, process cpu %.1f, slowest batch %d ms%n", r, stored, el / 1e3 / logged.size(), c / 1e3 / logged.size(), p / 1e3 / logged.size(), max / 1_000_000);
      }
    }
  }
}
