package io.trackside.log;

import static io.trackside.log.LogFixture.all;
import static io.trackside.log.LogFixture.readExactly;
import static io.trackside.log.LogFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventLog} must do, whatever stores it: the pipeline, the warehouse writer and
 * the destinations rely on exactly this and nothing more. Each implementation's test extends this
 * class and says how to open a new, empty log (DESIGN.md: "one shared test suite").
 */
abstract class EventLogContract {
  private final List<EventLog> opened = new ArrayList<>();

  /** A new, empty log with {@code partitions} partitions. */
  protected abstract EventLog newLog(int partitions) throws Exception;

  private EventLog open(int partitions) throws Exception {
    EventLog log = newLog(partitions);
    opened.add(log);
    return log;
  }

  @AfterEach
  void closeLogs() {
    opened.forEach(EventLog::close);
  }

  private static LogRecord record(String key, String value) {
    return new LogRecord(key, System.currentTimeMillis(), value.getBytes(StandardCharsets.UTF_8));
  }

  private static LogRecord recordIn(int partition, String value) {
    return new LogRecord("k", System.currentTimeMillis(), value.getBytes(StandardCharsets.UTF_8), partition);
  }

  private static void appendAndWait(EventLog log, List<LogRecord> records) throws Exception {
    log.append(records).get(20, TimeUnit.SECONDS);
  }

  private static List<LogRecord> numbered(String key, int count) {
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      records.add(record(key, key + "-" + i));
    }
    return records;
  }

  @Test
  void recordsComeBackInAppendOrderPerPartitionAndOneKeyStaysInOnePartition() throws Exception {
    EventLog log = open(3);
    // Interleaved appends of three keys, 30 records each, in batches of 10.
    for (int batch = 0; batch < 3; batch++) {
      for (String key : List.of("alice", "bob", "carol")) {
        List<LogRecord> records = new ArrayList<>();
        for (int i = batch * 10; i < batch * 10 + 10; i++) {
          records.add(record(key, key + "-" + i));
        }
        appendAndWait(log, records);
      }
    }
    try (LogConsumer consumer = log.consumer("reader", all(log))) {
      List<StoredRecord> read = readExactly(consumer, 90);
      Map<Integer, List<StoredRecord>> byPartition = read.stream()
          .collect(Collectors.groupingBy(StoredRecord::partition));
      for (List<StoredRecord> partition : byPartition.values()) {
        for (int i = 0; i < partition.size(); i++) {
          assertThat(partition.get(i).offset()).as("offsets of partition %d", partition.get(i).partition()).isEqualTo(i);
        }
      }
      for (String key : List.of("alice", "bob", "carol")) {
        List<StoredRecord> ofKey = read.stream().filter(r -> text(r).startsWith(key + "-")).toList();
        assertThat(ofKey).hasSize(30);
        assertThat(ofKey.stream().map(StoredRecord::partition).distinct()).as("partitions of " + key).hasSize(1);
        List<String> values = ofKey.stream().map(LogFixture::text).toList();
        List<String> expected = numbered(key, 30).stream()
            .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        assertThat(values).as("order of " + key).containsExactlyElementsOf(expected);
      }
    }
  }

  @Test
  void anExplicitPartitionIsWhereTheRecordGoes() throws Exception {
    EventLog log = open(3);
    appendAndWait(log, List.of(recordIn(2, "two"), recordIn(0, "zero"), recordIn(2, "two-again")));
    assertThat(log.endOffset(0)).isEqualTo(1);
    assertThat(log.endOffset(1)).isZero();
    assertThat(log.endOffset(2)).isEqualTo(2);
    try (LogConsumer consumer = log.consumer("reader", List.of(2))) {
      assertThat(readExactly(consumer, 2)).extracting(LogFixture::text).containsExactly("two", "two-again");
    }
    assertThat(log.append(List.of(recordIn(3, "nowhere"))))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theEndOffsetCountsEveryRecordOnceItsAppendCompleted() throws Exception {
    EventLog log = open(2);
    assertThat(log.endOffset(0)).isZero();
    appendAndWait(log, List.of(recordIn(1, "a"), recordIn(1, "b"), recordIn(1, "c")));
    assertThat(log.endOffset(1)).isEqualTo(3);
    // Many appends in flight at once: each completes only when its records are counted.
    List<CompletableFuture<Void>> appends = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      appends.add(log.append(List.of(recordIn(0, "x" + i), recordIn(0, "y" + i))));
    }
    CompletableFuture.allOf(appends.toArray(new CompletableFuture[0])).get(20, TimeUnit.SECONDS);
    assertThat(log.endOffset(0)).isEqualTo(40); // 20 appends of 2 records
    assertThat(log.endOffset(1)).isEqualTo(3);
    assertThat(log.append(List.of())).succeedsWithin(Duration.ofSeconds(1));
  }

  @Test
  void aGroupKnowsWhichPartitionsItCommitted() throws Exception {
    EventLog log = open(2);
    try (LogConsumer reader = log.consumer("destination.x", List.of(0, 1))) {
      // Committed at 0: read up to nothing yet, which is not the same as never read.
      reader.commit(Map.of(0, 0L));
    }
    assertThat(log.hasCommitted("destination.x", 0)).isTrue();
    assertThat(log.hasCommitted("destination.x", 1)).isFalse();
    assertThat(log.hasCommitted("destination.y", 0)).isFalse();
  }

  @Test
  void eachGroupHasItsOwnPosition() throws Exception {
    EventLog log = open(1);
    appendAndWait(log, numbered("v", 12));
    try (LogConsumer warehouse = log.consumer("warehouse", List.of(0))) {
      List<StoredRecord> read = readExactly(warehouse, 12);
      warehouse.commit(Map.of(0, read.get(11).offset() + 1));
    }
    assertThat(log.committedOffset("warehouse", 0)).isEqualTo(12);
    assertThat(log.committedOffset("ga4", 0)).isZero();
    assertThat(log.hasCommitted("warehouse")).isTrue();
    assertThat(log.hasCommitted("ga4")).isFalse();
    try (LogConsumer ga4 = log.consumer("ga4", List.of(0))) {
      // A group that never committed reads from the start, whatever others did.
      assertThat(readExactly(ga4, 12).get(0).offset()).isZero();
    }
  }

  @Test
  void aNewConsumerOfAGroupStartsWhereTheGroupCommitted() throws Exception {
    EventLog log = open(2);
    appendAndWait(log, numbered("a", 20).stream().map(r -> new LogRecord("a", r.timestampMillis(), r.value(), 0)).toList());
    appendAndWait(log, numbered("b", 20).stream().map(r -> new LogRecord("b", r.timestampMillis(), r.value(), 1)).toList());
    try (LogConsumer consumer = log.consumer("sink", List.of(0, 1))) {
      assertThat(consumer.poll(5, Duration.ofSeconds(10))).isNotEmpty();
      consumer.commit(Map.of(0, 7L, 1, 12L));
    }
    assertThat(log.committedOffset("sink", 0)).isEqualTo(7);
    assertThat(log.committedOffset("sink", 1)).isEqualTo(12);
    try (LogConsumer consumer = log.consumer("sink", List.of(0, 1))) {
      // (20 - 7) records left in partition 0 and (20 - 12) in partition 1.
      List<StoredRecord> rest = readExactly(consumer, 13 + 8);
      assertThat(rest.stream().filter(r -> r.partition() == 0).findFirst().orElseThrow().offset()).isEqualTo(7);
      assertThat(rest.stream().filter(r -> r.partition() == 1).findFirst().orElseThrow().offset()).isEqualTo(12);
      assertThat(rest.stream().filter(r -> r.partition() == 0).map(LogFixture::text).findFirst().orElseThrow())
          .isEqualTo("a-7");
    }
  }

  @Test
  void consumersOfOneGroupCommitTheirOwnPartitionsWithoutLosingTheOthers() throws Exception {
    EventLog log = open(2);
    try (LogConsumer left = log.consumer("sink", List.of(0));
         LogConsumer right = log.consumer("sink", List.of(1))) {
      left.commit(Map.of(0, 5L));
      right.commit(Map.of(1, 9L));
      left.commit(Map.of(0, 6L));
    }
    assertThat(log.committedOffset("sink", 0)).isEqualTo(6);
    assertThat(log.committedOffset("sink", 1)).isEqualTo(9);
  }

  @Test
  void seekMovesTheReadPositionBothWays() throws Exception {
    EventLog log = open(1);
    appendAndWait(log, numbered("v", 10));
    try (LogConsumer consumer = log.consumer("reader", List.of(0))) {
      consumer.seek(0, 6);
      assertThat(readExactly(consumer, 4)).extracting(LogFixture::text).containsExactly("v-6", "v-7", "v-8", "v-9");
      consumer.seek(0, 2);
      List<StoredRecord> again = consumer.poll(1, Duration.ofSeconds(10));
      assertThat(again).extracting(StoredRecord::offset).containsExactly(2L);
      // A seek drops whatever was already fetched for that partition.
      consumer.seek(0, 8);
      assertThat(readExactly(consumer, 2)).extracting(StoredRecord::offset).containsExactly(8L, 9L);
    }
  }

  @Test
  void pollReturnsAtMostMaxRecordsAndLosesNoneBetweenPolls() throws Exception {
    EventLog log = open(1);
    appendAndWait(log, numbered("v", 50));
    try (LogConsumer consumer = log.consumer("reader", List.of(0))) {
      List<StoredRecord> read = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (read.size() < 50 && System.nanoTime() < deadline) {
        List<StoredRecord> batch = consumer.poll(7, Duration.ofMillis(500));
        assertThat(batch.size()).isLessThanOrEqualTo(7);
        read.addAll(batch);
      }
      assertThat(read).extracting(StoredRecord::offset)
          .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 50).boxed().toList());
    }
  }

  @Test
  void pollWaitsForRecordsAppendedWhileItWaits() throws Exception {
    EventLog log = open(1);
    try (LogConsumer consumer = log.consumer("live", List.of(0))) {
      assertThat(consumer.poll(10, Duration.ofMillis(300))).isEmpty();
      CompletableFuture<Void> later = CompletableFuture.runAsync(() -> {
        try {
          Thread.sleep(300);
          appendAndWait(log, List.of(record("v", "late")));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      List<StoredRecord> got = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (got.isEmpty() && System.nanoTime() < deadline) {
        got.addAll(consumer.poll(10, Duration.ofSeconds(5)));
      }
      later.get(5, TimeUnit.SECONDS);
      assertThat(got).extracting(LogFixture::text).containsExactly("late");
    }
  }

  @Test
  void valuesTimestampsAndPositionsRoundTripExactly() throws Exception {
    EventLog log = open(2);
    byte[] large = new byte[512 * 1024];
    new Random(42).nextBytes(large);
    byte[] everyByte = new byte[256];
    for (int i = 0; i < 256; i++) {
      everyByte[i] = (byte) i;
    }
    long t0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z: a fixed instant, not "now"
    appendAndWait(log, List.of(
        new LogRecord("bin", t0, everyByte, 1),
        new LogRecord("big", t0 + 1, large, 1),
        new LogRecord("empty", t0 + 2, new byte[0], 1),
        new LogRecord(null, t0 + 3, "no key".getBytes(StandardCharsets.UTF_8), 1)));
    try (LogConsumer consumer = log.consumer("reader", List.of(1))) {
      List<StoredRecord> read = readExactly(consumer, 4);
      assertThat(read).extracting(StoredRecord::partition).containsOnly(1);
      assertThat(read).extracting(StoredRecord::offset).containsExactly(0L, 1L, 2L, 3L);
      assertThat(read).extracting(StoredRecord::timestampMillis).containsExactly(t0, t0 + 1, t0 + 2, t0 + 3);
      assertThat(read.get(0).value()).isEqualTo(everyByte);
      assertThat(read.get(1).value()).isEqualTo(large);
      assertThat(read.get(2).value()).isEmpty();
      assertThat(new String(read.get(3).value(), StandardCharsets.UTF_8)).isEqualTo("no key");
    }
  }

  @Test
  void recordsWithoutKeyAreStoredSomewhere() throws Exception {
    EventLog log = open(3);
    List<LogRecord> keyless = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      keyless.add(new LogRecord(null, System.currentTimeMillis(), ("n" + i).getBytes(StandardCharsets.UTF_8)));
    }
    appendAndWait(log, keyless);
    long total = 0;
    for (int p = 0; p < 3; p++) {
      total += log.endOffset(p);
    }
    assertThat(total).isEqualTo(9);
  }

  @Test
  void badArgumentsAreRejected() throws Exception {
    EventLog log = open(2);
    assertThatThrownBy(() -> log.consumer("g", List.of(2))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log.endOffset(2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log.committedOffset("g", -1)).isInstanceOf(IllegalArgumentException.class);
    try (LogConsumer consumer = log.consumer("g", List.of(0))) {
      assertThatThrownBy(() -> consumer.commit(Map.of(1, 1L))).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> consumer.seek(0, -1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> consumer.seek(1, 0)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> consumer.poll(0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
      Map<Integer, Long> badOffset = new HashMap<>();
      badOffset.put(0, -3L);
      assertThatThrownBy(() -> consumer.commit(badOffset)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(log.problem()).isNull();
  }
}
