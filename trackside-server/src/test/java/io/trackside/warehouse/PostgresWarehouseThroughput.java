package io.trackside.warehouse;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A throughput check run by hand, not a test (timings depend on the machine): writes browser-like
 * track events (about 500 bytes of JSON each, one in twenty with a user id, so identity links are
 * upserted too) in batches of 5,000, to a fresh PostgreSQL database and, for comparison, to a
 * DuckDB file; by one writer and by two concurrent ones (two log partitions). The pipeline runs
 * before the clock starts: only the warehouse's write is measured.
 *
 * <pre>
 *   mvn -o -q -pl trackside-server test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp trackside-server/target/classes:trackside-server/target/test-classes:$(cat trackside-server/target/cp.txt) \
 *     io.trackside.warehouse.PostgresWarehouseThroughput 200000
 * </pre>
 */
public final class PostgresWarehouseThroughput {
  private static final int BATCH = 5_000;

  public static void main(String[] args) throws Exception {
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    long started = System.nanoTime();
    List<List<LoggedEvent>> partitions = List.of(events(total / 2, 0), events(total / 2, 1));
    System.out.printf("prepared %,d events in %.1f s%n", total, (System.nanoTime() - started) / 1e9);
    // A round first that is not reported: the JIT compiles the write path of both.
    List<List<LoggedEvent>> warmUp = partitions.stream().map(p -> p.subList(0, Math.min(p.size(), 20_000))).toList();
    try (PgTestDatabase db = PgTestDatabase.create();
         Warehouse pg = PostgresWarehouse.open(db.url(), new SimpleMeterRegistry(), 2_000_000)) {
      run(pg, warmUp, 1);
    }
    Path warmDir = Files.createTempDirectory("duckdb-throughput");
    try (Warehouse duck = DuckDbWarehouse.open(warmDir.resolve("w.duckdb"), new SimpleMeterRegistry())) {
      run(duck, warmUp, 1);
    }
    for (int writers : new int[] {1, 2}) {
      try (PgTestDatabase db = PgTestDatabase.create();
           Warehouse pg = PostgresWarehouse.open(db.url(), new SimpleMeterRegistry(), 2_000_000)) {
        report("PostgreSQL", writers, run(pg, partitions, writers), total);
      }
      Path dir = Files.createTempDirectory("duckdb-throughput");
      try (Warehouse duck = DuckDbWarehouse.open(dir.resolve("w.duckdb"), new SimpleMeterRegistry())) {
        report("DuckDB", writers, run(duck, partitions, writers), total);
      }
    }
  }

  private static List<LoggedEvent> events(int n, int partition) {
    List<LoggedEvent> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String anon = "anon-" + (i % 20_000);
      String json = TestEvents.track("p" + partition + "-m" + i, anon);
      if (i % 20 == 0) {
        json = json.replaceFirst("\\{", "{\"userId\":\"user-" + (i % 5_000) + "\",");
      }
      events.add(TestEvents.logged(TestEvents.received("web", json, TestEvents.RECEIVED_AT + i), partition, i));
    }
    return events;
  }

  /** Seconds to write all events: with one writer partition after partition, with two side by side. */
  private static double run(Warehouse warehouse, List<List<LoggedEvent>> partitions, int writers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    long started = System.nanoTime();
    try {
      if (writers == 1) {
        for (int p = 0; p < partitions.size(); p++) {
          writeAll(warehouse, partitions.get(p), p);
        }
      } else {
        List<Future<?>> running = new ArrayList<>();
        for (int p = 0; p < partitions.size(); p++) {
          int partition = p;
          running.add(pool.submit(() -> {
            writeAll(warehouse, partitions.get(partition), partition);
            return null;
          }));
        }
        for (Future<?> f : running) {
          f.get();
        }
      }
    } finally {
      pool.shutdown();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long count = warehouse.countEvents();
    if (count != partitions.stream().mapToLong(List::size).sum()) {
      throw new AssertionError("wrote " + count + " events");
    }
    return seconds;
  }

  private static void writeAll(Warehouse warehouse, List<LoggedEvent> events, int partition) throws Exception {
    for (int from = 0; from < events.size(); from += BATCH) {
      int to = Math.min(events.size(), from + BATCH);
      warehouse.write(new WarehouseBatch("warehouse", events.subList(from, to), List.of(),
          Map.of(partition, (long) to)));
    }
  }

  private static void report(String kind, int writers, double seconds, int total) {
    System.out.printf("%-10s %d writer(s): %,d events in %.1f s = %,.0f events/s%n", kind, writers, total, seconds,
        total / seconds);
  }
}
