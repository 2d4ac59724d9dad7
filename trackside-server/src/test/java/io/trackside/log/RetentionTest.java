package io.trackside.log;

import static io.trackside.log.LogFixture.config;
import static io.trackside.log.LogFixture.open;
import static io.trackside.log.LogFixture.pad;
import static io.trackside.log.LogFixture.records;
import static io.trackside.log.LogFixture.segments;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
  private static final int RECORD_BYTES = RecordFormat.HEADER_BYTES + 100;
  private static final long TWO_HOURS_AGO = System.currentTimeMillis() - Duration.ofHours(2).toMillis();

  @TempDir
  Path dir;

  @Test
  void sizeRetentionOnlyDeletesWhatEveryGroupHasConsumed() throws Exception {
    EmbeddedLogConfig config = config(dir, 1).withSegmentBytes(10L * RECORD_BYTES).withRetentionBytes(1);
    try (EmbeddedEventLog log = open(config)) {
      for (int i = 0; i < 5; i++) {
        log.append(records("k", "r", i * 10, 10, 100)).get(5, TimeUnit.SECONDS);
      }
      assertThat(segments(dir, 0)).hasSize(5); // bases 0, 10, 20, 30 and the active 40
      try (LogConsumer slow = log.consumer("slow", List.of(0));
           LogConsumer fast = log.consumer("fast", List.of(0))) {
        slow.commit(Map.of(0, 15L));
        fast.commit(Map.of(0, 50L));

        assertThat(log.runRetention()).isEqualTo(1);
        assertThat(log.startOffset(0)).isEqualTo(10);
        assertThat(log.sizeBytes()).isEqualTo(40L * RECORD_BYTES);

        slow.commit(Map.of(0, 50L));
        assertThat(log.runRetention()).isEqualTo(3);
      }
      assertThat(segments(dir, 0)).extracting(f -> f.getFileName().toString())
          .containsExactly(Segment.fileName(40)); // the active segment stays, even over the limit
      assertThat(log.startOffset(0)).isEqualTo(40);
      assertThat(log.sizeBytes()).isEqualTo(10L * RECORD_BYTES);
      assertThat(log.endOffset(0)).isEqualTo(50);
    }
  }

  @Test
  void ageRetentionDeletesOldSegmentsEvenUnconsumedAndCountsTheLoss() throws Exception {
    EmbeddedLogConfig config = config(dir, 1).withSegmentBytes(10L * RECORD_BYTES)
        .withRetentionAge(Duration.ofHours(1));
    try (EmbeddedEventLog log = open(config)) {
      log.append(oldRecords(0, 21)).get(5, TimeUnit.SECONDS); // segments 0 and 10, and the first of 20
      log.append(records("k", "fresh", 21, 14, 100)).get(5, TimeUnit.SECONDS);
      try (LogConsumer reader = log.consumer("reader", List.of(0));
           LogConsumer done = log.consumer("done", List.of(0))) {
        reader.commit(Map.of(0, 5L));
        done.commit(Map.of(0, 35L));
      }
    }

    // Reopened, so the old segments' newest timestamps have to be read from the files.
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (EmbeddedEventLog log = open(config, registry)) {
      assertThat(log.runRetention()).isEqualTo(2);
      assertThat(log.startOffset(0)).isEqualTo(20); // segment 20 holds one old record but fresh ones too
      assertThat(registry.get("trackside.log.expired.unconsumed.records").tag("group", "reader").counter().count())
          .isEqualTo(15); // offsets 5..19
      assertThat(registry.find("trackside.log.expired.unconsumed.records").tag("group", "done").counter()).isNull();

      try (LogConsumer reader = log.consumer("reader", List.of(0))) {
        List<StoredRecord> read = reader.poll(1, Duration.ofSeconds(1));
        assertThat(read).extracting(StoredRecord::offset).containsExactly(20L);
      }
      assertThat(log.runRetention()).isZero();
    }
  }

  @Test
  void theActiveSegmentIsNeverDeletedEvenWhenOld() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 1).withRetentionAge(Duration.ofHours(1)).withRetentionBytes(1))) {
      log.append(oldRecords(0, 10)).get(5, TimeUnit.SECONDS);
      assertThat(log.runRetention()).isZero();
      assertThat(log.endOffset(0)).isEqualTo(10);
      assertThat(log.startOffset(0)).isZero();
    }
  }

  @Test
  void aConsumerPositionedBeforeTheStartMovesToTheFirstRetainedOffset() throws Exception {
    EmbeddedLogConfig config = config(dir, 1).withSegmentBytes(10L * RECORD_BYTES).withRetentionBytes(1);
    try (EmbeddedEventLog log = open(config)) {
      log.append(records("k", "r", 0, 30, 100)).get(5, TimeUnit.SECONDS);
      try (LogConsumer consumer = log.consumer("early", List.of(0))) {
        assertThat(consumer.poll(3, Duration.ofSeconds(1))).extracting(StoredRecord::offset)
            .containsExactly(0L, 1L, 2L);
        // Nobody has committed, so no group holds size retention back.
        assertThat(log.runRetention()).isEqualTo(2);
        // The open cursor still reads the deleted file to its end, then carries on.
        assertThat(consumer.poll(100, Duration.ofSeconds(1))).extracting(StoredRecord::offset).startsWith(3L);
        consumer.seek(0, 5);
        assertThat(consumer.poll(1, Duration.ofSeconds(1))).extracting(StoredRecord::offset).containsExactly(20L);
      }
    }
  }

  private static List<LogRecord> oldRecords(int from, int count) {
    List<LogRecord> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      out.add(new LogRecord("k", TWO_HOURS_AGO, pad("old-" + i, 100).getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }
}
