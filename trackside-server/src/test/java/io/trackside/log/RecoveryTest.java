package io.trackside.log;

import static io.trackside.log.LogFixture.config;
import static io.trackside.log.LogFixture.open;
import static io.trackside.log.LogFixture.readExactly;
import static io.trackside.log.LogFixture.records;
import static io.trackside.log.LogFixture.segments;
import static io.trackside.log.LogFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {
  private static final int VALUE_BYTES = 100;
  private static final int RECORD_BYTES = RecordFormat.HEADER_BYTES + VALUE_BYTES;

  @TempDir
  Path dir;

  @Test
  void reopeningKeepsEverything() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 2))) {
      log.append(records("a", "first", 0, 30, VALUE_BYTES)).get(5, TimeUnit.SECONDS);
      log.append(records("b", "second", 0, 30, VALUE_BYTES)).get(5, TimeUnit.SECONDS);
    }
    try (EmbeddedEventLog log = open(config(dir, 2))) {
      assertThat(log.endOffset(0) + log.endOffset(1)).isEqualTo(60);
      assertThat(log.sizeBytes()).isEqualTo(60L * RECORD_BYTES);
      try (LogConsumer consumer = log.consumer("reader", List.of(0, 1))) {
        assertThat(readExactly(consumer, 60)).extracting(LogFixture::text)
            .contains("first-0", "first-29", "second-0", "second-29");
      }
    }
  }

  @Test
  void tornTailIsCutAndAppendsContinueAtTheRightOffset() throws Exception {
    writeTenRecords();
    Path segment = segments(dir, 0).get(0);
    long size = Files.size(segment);
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.truncate(size - RECORD_BYTES / 2); // the last record only half written, as after a crash
    }

    assertRecoveredToNineRecordsThenAppendable(segment);
  }

  @Test
  void corruptTailIsCutAndAppendsContinueAtTheRightOffset() throws Exception {
    writeTenRecords();
    Path segment = segments(dir, 0).get(0);
    long lastRecord = Files.size(segment) - RECORD_BYTES;
    flipByte(segment, lastRecord + RecordFormat.HEADER_BYTES + 10); // in the value: the CRC no longer matches

    assertRecoveredToNineRecordsThenAppendable(segment);
  }

  @Test
  void impossibleLengthIsTreatedAsCorrupt() throws Exception {
    writeTenRecords();
    Path segment = segments(dir, 0).get(0);
    long lastRecord = Files.size(segment) - RECORD_BYTES;
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.allocate(4).putInt(0, -7), lastRecord);
    }

    assertRecoveredToNineRecordsThenAppendable(segment);
  }

  @Test
  void garbageAfterTheLastRecordIsCut() throws Exception {
    writeTenRecords();
    Path segment = segments(dir, 0).get(0);
    long size = Files.size(segment);
    Files.write(segment, new byte[] {0, 0, 0}, StandardOpenOption.APPEND);

    try (EmbeddedEventLog log = open(config(dir, 1))) {
      assertThat(log.endOffset(0)).isEqualTo(10);
      assertThat(Files.size(segment)).isEqualTo(size);
    }
  }

  @Test
  void emptyTrailingSegmentIsAccepted() throws Exception {
    writeTenRecords();
    Path empty = PartitionLog.dirOf(dir, 0).resolve(Segment.fileName(10));
    Files.createFile(empty); // a crash right after rolling to a new segment

    try (EmbeddedEventLog log = open(config(dir, 1))) {
      assertThat(log.endOffset(0)).isEqualTo(10);
      log.append(records("k", "more", 0, 5, VALUE_BYTES)).get(5, TimeUnit.SECONDS);
      assertThat(log.endOffset(0)).isEqualTo(15);
      assertThat(Files.size(empty)).isEqualTo(5L * RECORD_BYTES);
      try (LogConsumer consumer = log.consumer("reader", List.of(0))) {
        assertThat(readExactly(consumer, 15)).extracting(StoredRecord::offset)
            .containsExactlyElementsOf(IntStream.range(0, 15).mapToObj(i -> (long) i).collect(Collectors.toList()));
      }
    }
  }

  private void writeTenRecords() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 1))) {
      log.append(records("k", "r", 0, 10, VALUE_BYTES)).get(5, TimeUnit.SECONDS);
    }
    assertThat(Files.size(segments(dir, 0).get(0))).isEqualTo(10L * RECORD_BYTES);
  }

  private void assertRecoveredToNineRecordsThenAppendable(Path segment) throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 1))) {
      assertThat(log.endOffset(0)).isEqualTo(9);
      assertThat(Files.size(segment)).as("file cut after the last good record").isEqualTo(9L * RECORD_BYTES);
      log.append(records("k", "after", 0, 3, VALUE_BYTES)).get(5, TimeUnit.SECONDS);
      assertThat(log.endOffset(0)).isEqualTo(12);
    }
    try (EmbeddedEventLog log = open(config(dir, 1));
         LogConsumer consumer = log.consumer("reader", List.of(0))) {
      List<StoredRecord> read = readExactly(consumer, 12);
      assertThat(read).extracting(StoredRecord::offset)
          .containsExactlyElementsOf(IntStream.range(0, 12).mapToObj(i -> (long) i).collect(Collectors.toList()));
      assertThat(read.stream().map(LogFixture::text).collect(Collectors.toList()))
          .startsWith("r-0", "r-1")
          .containsSubsequence("r-8", "after-0", "after-1", "after-2")
          .doesNotContain("r-9");
      assertThat(text(read.get(8))).isEqualTo("r-8");
    }
  }

  private static void flipByte(Path file, long position) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      channel.read(one, position);
      one.put(0, (byte) ~one.get(0)).rewind();
      channel.write(one, position);
    }
  }
}
