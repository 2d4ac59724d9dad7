package io.trackside.log;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A throughput check run by hand, not a test (timings depend on the machine): appends through
 * {@link KafkaEventLog} to a real broker started here, as {@link LogThroughput} does for the
 * embedded log.
 *
 * <pre>
 *   mvn -o -q -pl trackside-server test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp trackside-server/target/classes:trackside-server/target/test-classes:$(cat trackside-server/target/cp.txt) \
 *     io.trackside.log.KafkaLogThroughput 10
 * </pre>
 *
 * Reports 100 x 500 B batches with up to 64 batches in flight, then 64 single-record appenders each
 * waiting for its acknowledgement (as 64 collector requests would).
 */
public final class KafkaLogThroughput {
  private static final int VALUE_BYTES = 500;

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path dir = Files.createTempDirectory("trackside-kafka-bench");
    try (KafkaBroker broker = KafkaBroker.start(dir);
         KafkaEventLog log = KafkaEventLog.open(KafkaLogConfig.defaults(broker.bootstrapServers()).withPartitions(4),
             new SimpleMeterRegistry())) {
      System.out.printf("batches of 100: %.0f records/s%n", batches(log, seconds));
      System.out.printf("64 single-record appenders: %.0f records/s%n", singles(log, seconds));
    }
  }

  private static List<LogRecord> batch(int size, long n) {
    List<LogRecord> records = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      records.add(new LogRecord("visitor-" + ((n + i) % 1000), System.currentTimeMillis(), new byte[VALUE_BYTES]));
    }
    return records;
  }

  private static double batches(KafkaEventLog log, int seconds) throws Exception {
    Semaphore inFlight = new Semaphore(64);
    LongAdder done = new LongAdder();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long start = System.nanoTime();
    long n = 0;
    while (System.nanoTime() < end) {
      inFlight.acquire();
      log.append(batch(100, n++)).whenComplete((ok, failure) -> {
        if (failure == null) {
          done.add(100);
        }
        inFlight.release();
      });
    }
    inFlight.acquire(64);
    return done.sum() / ((System.nanoTime() - start) / 1e9);
  }

  private static double singles(KafkaEventLog log, int seconds) throws Exception {
    LongAdder done = new LongAdder();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 64; t++) {
      long id = t;
      Thread thread = new Thread(() -> {
        long n = id;
        while (System.nanoTime() < end) {
          try {
            log.append(batch(1, n += 64)).get(30, TimeUnit.SECONDS);
            done.increment();
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return done.sum() / ((System.nanoTime() - start) / 1e9);
  }
}
