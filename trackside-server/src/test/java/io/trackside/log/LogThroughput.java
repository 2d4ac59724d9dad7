package io.trackside.log;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * A throughput check run by hand, not a test (timings depend on the machine):
 *
 * <pre>
 *   mvn -o -q -pl trackside-server test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp trackside-server/target/classes:trackside-server/target/test-classes:$(cat trackside-server/target/cp.txt) \
 *     io.trackside.log.LogThroughput /var/tmp/trackside-bench 10
 * </pre>
 *
 * Reports fsync latency of the disk, appends of 100 x 500 B batches from pipelining producers,
 * 64 concurrent single-record appenders each waiting for its acknowledgement, and read-back speed.
 */
public final class LogThroughput {
  private static final int VALUE_BYTES = 500;

  public static void main(String[] args) throws Exception {
    Path base = Path.of(args.length > 0 ? args[0] : "/var/tmp/trackside-bench");
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Files.createDirectories(base);
    fsyncLatency(base.resolve("fsync-probe"));
    batches(base.resolve("batches"), seconds, 4, 8);
    singles(base.resolve("singles"), seconds, 64);
  }

  static void fsyncLatency(Path file) throws IOException {
    int rounds = 2000;
    long[] nanos = new long[rounds];
    ByteBuffer page = ByteBuffer.allocateDirect(4096);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      long position = 0;
      for (int i = 0; i < rounds; i++) {
        page.clear();
        position += channel.write(page, position);
        long start = System.nanoTime();
        channel.force(false);
        nanos[i] = System.nanoTime() - start;
      }
    }
    Files.delete(file);
    Arrays.sort(nanos);
    System.out.printf("fsync (append 4 KiB + fdatasync) x%d: p50 %.0f us, p90 %.0f us, p99 %.0f us, max %.0f us%n",
        rounds, nanos[rounds / 2] / 1e3, nanos[rounds * 9 / 10] / 1e3, nanos[rounds * 99 / 100] / 1e3,
        nanos[rounds - 1] / 1e3);
  }

  /** Producers each keep up to {@code inFlight} appends of 100 records outstanding, like a busy collector. */
  static void batches(Path dir, int seconds, int producers, int inFlight) throws Exception {
    List<LogRecord> batch = new ArrayList<>();
    byte[] value = new byte[VALUE_BYTES];
    Arrays.fill(value, (byte) 'x');
    for (int i = 0; i < 100; i++) {
      batch.add(new LogRecord("visitor-" + i, System.currentTimeMillis(), value));
    }
    run("batches of 100 x 500 B, " + producers + " producers x " + inFlight + " in flight", dir, seconds, producers,
        (log, stop, appended) -> {
          Semaphore window = new Semaphore(inFlight);
          while (!stop.get()) {
            window.acquire();
            log.append(batch).whenComplete((ok, error) -> {
              window.release();
              if (error == null) {
                appended.add(100);
              }
            });
          }
          window.acquire(inFlight);
        });
  }

  /** Clients each append one record and wait for it, like HTTP requests of one event each. */
  static void singles(Path dir, int seconds, int clients) throws Exception {
    byte[] value = new byte[VALUE_BYTES];
    run(clients + " clients appending 1 x 500 B and waiting", dir, seconds, clients, (log, stop, appended) -> {
      String key = Thread.currentThread().getName();
      List<LogRecord> one = List.of(new LogRecord(key, System.currentTimeMillis(), value));
      while (!stop.get()) {
        log.append(one).get(30, TimeUnit.SECONDS);
        appended.increment();
      }
    });
  }

  interface Producer {
    void run(EmbeddedEventLog log, AtomicBoolean stop, LongAdder appended) throws Exception;
  }

  static void run(String name, Path dir, int seconds, int threads, Producer producer) throws Exception {
    deleteTree(dir);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EmbeddedLogConfig config = EmbeddedLogConfig.defaults(dir);
    try (EmbeddedEventLog log = EmbeddedEventLog.open(config, registry)) {
      AtomicBoolean stop = new AtomicBoolean();
      LongAdder appended = new LongAdder();
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Thread t = new Thread(() -> {
          try {
            producer.run(log, stop, appended);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, "producer-" + i);
        workers.add(t);
      }
      // One second of warm-up, then measure.
      workers.forEach(Thread::start);
      Thread.sleep(1000);
      DistributionSummary groups = registry.get("trackside.log.group.commit.records").summary();
      Timer fsync = registry.get("trackside.log.fsync").timer();
      long records0 = appended.sum();
      long groups0 = groups.count();
      double fsyncNanos0 = fsync.totalTime(TimeUnit.NANOSECONDS);
      long start = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long records = appended.sum() - records0;
      long groupCount = groups.count() - groups0;
      double fsyncNanos = fsync.totalTime(TimeUnit.NANOSECONDS) - fsyncNanos0;
      double elapsed = (System.nanoTime() - start) / 1e9;
      stop.set(true);
      for (Thread t : workers) {
        t.join();
      }
      System.out.printf("%s: %,.0f records/s, %.0f MB/s, %,.0f group commits/s, %.1f records per group, "
              + "fsync phase %.0f us per group (%.0f%% of the time)%n",
          name, records / elapsed, records * (VALUE_BYTES + RecordFormat.HEADER_BYTES) / elapsed / 1e6,
          groupCount / elapsed, (double) records / Math.max(1, groupCount), fsyncNanos / Math.max(1, groupCount) / 1e3,
          100 * fsyncNanos / 1e9 / elapsed);
      long total = 0;
      for (int p = 0; p < log.partitions(); p++) {
        total += log.endOffset(p);
      }
      long readStart = System.nanoTime();
      long read = 0;
      try (LogConsumer consumer = log.consumer("bench", List.of(0, 1, 2, 3))) {
        while (read < total) {
          read += consumer.poll(10_000, Duration.ofSeconds(1)).size();
        }
      }
      System.out.printf("  read back %,d records at %,.0f records/s%n", read, read / ((System.nanoTime() - readStart) / 1e9));
    }
    deleteTree(dir);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toArray(Path[]::new)) {
          Files.delete(f);
        }
      }
    }
  }
}
