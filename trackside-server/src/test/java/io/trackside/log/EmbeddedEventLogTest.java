package io.trackside.log;

import static io.trackside.log.LogFixture.all;
import static io.trackside.log.LogFixture.config;
import static io.trackside.log.LogFixture.open;
import static io.trackside.log.LogFixture.readExactly;
import static io.trackside.log.LogFixture.record;
import static io.trackside.log.LogFixture.records;
import static io.trackside.log.LogFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedEventLogTest {
  @TempDir
  Path dir;

  @Test
  void theWritingThreadsAreNamedAfterTheLogAndRunItsStartHookFirst() throws Exception {
    // The enriched log's threads lower their priority this way (background-nice), as the pipeline's do.
    Set<String> started = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (EmbeddedEventLog log = EmbeddedEventLog.open(config(dir, 3), new io.micrometer.core.instrument.simple
        .SimpleMeterRegistry(), "trackside.enriched.log", () -> started.add(Thread.currentThread().getName()))) {
      List<LogRecord> batch = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        batch.add(record("visitor-" + i, "event-" + i));
      }
      log.append(batch).get(5, TimeUnit.SECONDS); // three partitions: the writer hands fsyncs to its pool
      assertThat(started).contains("trackside-enriched-log-writer", "trackside-enriched-log-fsync",
          "trackside-enriched-log-ack");
    }
  }

  @Test
  void appendedRecordsAreReadBackFromEveryPartition() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 4))) {
      List<LogRecord> batch = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        batch.add(record("visitor-" + i, "event-" + i));
      }
      log.append(batch).get(5, TimeUnit.SECONDS);

      long total = 0;
      for (int p = 0; p < 4; p++) {
        assertThat(log.endOffset(p)).as("partition %d has records", p).isPositive();
        total += log.endOffset(p);
      }
      assertThat(total).isEqualTo(200);

      try (LogConsumer consumer = log.consumer("reader", all(log))) {
        List<StoredRecord> read = readExactly(consumer, 200);
        Set<String> values = new HashSet<>();
        read.forEach(r -> values.add(text(r)));
        assertThat(values).hasSize(200).contains("event-0", "event-199");
        for (StoredRecord r : read) {
          String key = "visitor-" + text(r).substring("event-".length());
          assertThat(r.partition()).as("partition of %s", key).isEqualTo((key.hashCode() & 0x7fffffff) % 4);
        }
      }
    }
  }

  @Test
  void recordsOfOneKeyStayInOrderAndOffsetsAreContiguous() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 3))) {
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      for (int round = 0; round < 50; round++) {
        List<LogRecord> batch = new ArrayList<>();
        for (String key : List.of("a", "b", "c", "d", "e")) {
          batch.add(record(key, key + "-" + round));
        }
        futures.add(log.append(batch)); // not waiting: order must hold across groups too
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture<?>[]::new)).get(5, TimeUnit.SECONDS);

      try (LogConsumer consumer = log.consumer("reader", all(log))) {
        List<StoredRecord> read = readExactly(consumer, 250);
        Map<String, Integer> lastRound = new HashMap<>();
        Map<Integer, Long> nextOffset = new HashMap<>();
        for (StoredRecord r : read) {
          String[] parts = text(r).split("-");
          int round = Integer.parseInt(parts[1]);
          assertThat(round).as("round of key %s", parts[0]).isEqualTo(lastRound.getOrDefault(parts[0], -1) + 1);
          lastRound.put(parts[0], round);
          assertThat(r.offset()).as("offset in partition %d", r.partition())
              .isEqualTo(nextOffset.getOrDefault(r.partition(), 0L));
          nextOffset.put(r.partition(), r.offset() + 1);
        }
        for (int p = 0; p < 3; p++) {
          assertThat(log.endOffset(p)).isEqualTo(nextOffset.getOrDefault(p, 0L));
        }
      }
    }
  }

  @Test
  void recordsWithoutKeyAreSpreadOverPartitions() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 4))) {
      List<LogRecord> batch = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        batch.add(record(null, "anonymous-" + i));
      }
      log.append(batch).get(5, TimeUnit.SECONDS);
      for (int p = 0; p < 4; p++) {
        assertThat(log.endOffset(p)).isEqualTo(10);
      }
    }
  }

  @Test
  void pollWaitsForNewRecordsAndReturnsEmptyAfterTheTimeout() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 2));
         LogConsumer consumer = log.consumer("reader", all(log))) {
      long start = System.nanoTime();
      assertThat(consumer.poll(10, Duration.ofMillis(150))).isEmpty();
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(140).toNanos());

      AtomicReference<List<StoredRecord>> polled = new AtomicReference<>();
      Thread poller = new Thread(() -> {
        try {
          polled.set(consumer.poll(10, Duration.ofSeconds(10)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      poller.start();
      Thread.sleep(100);
      long appended = System.nanoTime();
      log.append(List.of(record("k", "hello"))).get(5, TimeUnit.SECONDS);
      poller.join(5_000);
      assertThat(polled.get()).extracting(LogFixture::text).containsExactly("hello");
      assertThat(System.nanoTime() - appended).as("woken by the writer, not by the timeout")
          .isLessThan(Duration.ofSeconds(2).toNanos());
    }
  }

  @Test
  void consumersReadWhileTheWriterAppends() throws Exception {
    int batches = 200;
    int perBatch = 50;
    try (EmbeddedEventLog log = open(config(dir, 2).withSegmentBytes(64 * 1024))) {
      List<StoredRecord> read = new ArrayList<>();
      Thread reader = new Thread(() -> {
        try (LogConsumer consumer = log.consumer("live", all(log))) {
          long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
          while (read.size() < batches * perBatch && System.nanoTime() < deadline) {
            read.addAll(consumer.poll(300, Duration.ofMillis(100)));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      reader.start();
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      for (int b = 0; b < batches; b++) {
        futures.add(log.append(records("key-" + (b % 7), "b" + b, 0, perBatch, 100)));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture<?>[]::new)).get(10, TimeUnit.SECONDS);
      reader.join(25_000);

      assertThat(read).hasSize(batches * perBatch);
      Map<Integer, Long> next = new HashMap<>();
      for (StoredRecord r : read) {
        assertThat(r.offset()).isEqualTo(next.getOrDefault(r.partition(), 0L));
        next.put(r.partition(), r.offset() + 1);
      }
    }
  }

  @Test
  void seekMovesTheReadPosition() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 1).withSegmentBytes(2_000))) {
      log.append(records("k", "r", 0, 100, 100)).get(5, TimeUnit.SECONDS);
      try (LogConsumer consumer = log.consumer("reader", List.of(0))) {
        consumer.seek(0, 42);
        assertThat(consumer.poll(3, Duration.ofSeconds(1))).extracting(StoredRecord::offset)
            .containsExactly(42L, 43L, 44L);
        consumer.seek(0, 7);
        assertThat(consumer.poll(2, Duration.ofSeconds(1))).extracting(LogFixture::text)
            .containsExactly("r-7", "r-8");
        consumer.seek(0, 99);
        assertThat(consumer.poll(10, Duration.ofSeconds(1))).extracting(LogFixture::text).containsExactly("r-99");
      }
    }
  }

  @Test
  void anInterruptedPollThrowsAndTheConsumerCarriesOn() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 1))) {
      log.append(records("k", "r", 0, 10, 100)).get(5, TimeUnit.SECONDS);
      try (LogConsumer consumer = log.consumer("reader", List.of(0))) {
        assertThat(consumer.poll(2, Duration.ofSeconds(1))).extracting(StoredRecord::offset).containsExactly(0L, 1L);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> consumer.poll(2, Duration.ofSeconds(1))).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
        assertThat(readExactly(consumer, 8)).extracting(StoredRecord::offset).startsWith(2L).endsWith(9L);
      }
    }
  }

  @Test
  void anInterruptDuringADiskReadClosesOnlyTheReadersChannel() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 1))) {
      log.append(records("k", "r", 0, 10, 100)).get(5, TimeUnit.SECONDS);
      PartitionCursor cursor = new PartitionCursor(log.partitionLog(0), "reader", 0);
      List<StoredRecord> out = new ArrayList<>();
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> cursor.read(5, out)).isInstanceOf(ClosedByInterruptException.class);
      assertThat(Thread.interrupted()).isTrue();

      // The writer's channel is untouched: appends still succeed, and the cursor reopens its own.
      log.append(records("k", "after", 0, 1, 100)).get(5, TimeUnit.SECONDS);
      cursor.closeChannel();
      assertThat(cursor.read(100, out)).isEqualTo(11);
      cursor.closeChannel();
    }
  }
}
