package io.trackside.log;

import static io.trackside.log.LogFixture.config;
import static io.trackside.log.LogFixture.open;
import static io.trackside.log.LogFixture.readExactly;
import static io.trackside.log.LogFixture.records;
import static io.trackside.log.LogFixture.segments;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentRollingTest {
  private static final int RECORD_BYTES = RecordFormat.HEADER_BYTES + 100;

  @TempDir
  Path dir;

  @Test
  void rollsAtTheSegmentSizeAndReadsAcrossSegments() throws Exception {
    EmbeddedLogConfig config = config(dir, 1).withSegmentBytes(10L * RECORD_BYTES);
    try (EmbeddedEventLog log = open(config)) {
      log.append(records("k", "one-group", 0, 25, 100)).get(5, TimeUnit.SECONDS); // rolls inside one group
      for (int i = 0; i < 10; i++) {
        log.append(records("k", "single", i, 1, 100)).get(5, TimeUnit.SECONDS);
      }

      List<Path> files = segments(dir, 0);
      assertThat(files).extracting(f -> f.getFileName().toString()).containsExactly(
          "00000000000000000000.seg", "00000000000000000010.seg", "00000000000000000020.seg",
          "00000000000000000030.seg");
      for (Path file : files.subList(0, 3)) {
        assertThat(Files.size(file)).isEqualTo(10L * RECORD_BYTES);
      }
      assertThat(log.sizeBytes()).isEqualTo(35L * RECORD_BYTES);

      try (LogConsumer consumer = log.consumer("reader", List.of(0))) {
        assertThat(readExactly(consumer, 35)).extracting(StoredRecord::offset)
            .containsExactlyElementsOf(LongStream.range(0, 35).boxed().collect(Collectors.toList()));
        consumer.seek(0, 17);
        assertThat(consumer.poll(5, Duration.ofSeconds(1))).extracting(StoredRecord::offset)
            .containsExactly(17L, 18L, 19L, 20L, 21L);
      }
    }
    try (EmbeddedEventLog log = open(config);
         LogConsumer consumer = log.consumer("reader", List.of(0))) {
      assertThat(log.endOffset(0)).isEqualTo(35);
      consumer.seek(0, 24); // the last record of the first group, then the single appends
      assertThat(consumer.poll(3, Duration.ofSeconds(1))).extracting(LogFixture::text)
          .containsExactly("one-group-24", "single-0", "single-1");
    }
  }

  @Test
  void aRecordLargerThanASegmentGetsASegmentOfItsOwn() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 1).withSegmentBytes(1_000))) {
      log.append(records("k", "small", 0, 2, 100)).get(5, TimeUnit.SECONDS);
      log.append(records("k", "big", 0, 1, 5_000)).get(5, TimeUnit.SECONDS);
      log.append(records("k", "small-after", 0, 1, 100)).get(5, TimeUnit.SECONDS);
      assertThat(segments(dir, 0)).hasSize(3);
      try (LogConsumer consumer = log.consumer("reader", List.of(0))) {
        List<StoredRecord> read = readExactly(consumer, 4);
        assertThat(read.get(2).value()).hasSize(5_000);
        assertThat(read).extracting(LogFixture::text).containsExactly("small-0", "small-1", "big-0", "small-after-0");
      }
    }
  }
}
