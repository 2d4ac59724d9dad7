package io.trackside.log;

import static io.trackside.log.LogFixture.config;
import static io.trackside.log.LogFixture.open;
import static io.trackside.log.LogFixture.readExactly;
import static io.trackside.log.LogFixture.records;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Fills a real, small filesystem until writes fail with "No space left on device". Needs one,
 * so it runs only when asked, for example (as root):
 *
 * <pre>
 *   mkdir -p /tmp/smallfs && mount -t tmpfs -o size=4m tmpfs /tmp/smallfs
 *   mvn -pl trackside-server test -Dtest=DiskFullTest -Dtrackside.test.smallfs=/tmp/smallfs
 * </pre>
 */
@EnabledIfSystemProperty(named = "trackside.test.smallfs", matches = ".+")
class DiskFullTest {

  @Test
  void aFullDiskFailsTheGroupKeepsTheLogConsistentAndAppendsResumeWhenSpaceReturns() throws Exception {
    fillAndRecover(256 * 1024);
  }

  @Test
  void aGroupThatRolledSegmentsBeforeFailingIsUndoneCompletely() throws Exception {
    fillAndRecover(32 * 1024); // every 100 kB group rolls about three times
  }

  private static void fillAndRecover(long segmentBytes) throws Exception {
    Path base = Path.of(System.getProperty("trackside.test.smallfs"));
    Path dir = base.resolve("log-" + System.nanoTime());
    Path ballast = base.resolve("ballast-" + System.nanoTime());
    Files.write(ballast, new byte[512 * 1024]);
    // No free-space guard, so the write itself hits ENOSPC.
    EmbeddedLogConfig config = config(dir, 1).withSegmentBytes(segmentBytes).withMinFreeDiskBytes(0);
    long acknowledged = 0;
    try {
      try (EmbeddedEventLog log = open(config)) {
        LogUnavailableException failure = null;
        for (int i = 0; i < 10_000 && failure == null; i++) {
          try {
            log.append(records("k", "r", (int) acknowledged, 100, 1000)).get(5, TimeUnit.SECONDS);
            acknowledged += 100;
          } catch (ExecutionException e) {
            failure = (LogUnavailableException) e.getCause();
          }
        }
        assertThat(failure).as("the filesystem filled up").isNotNull();
        assertThat(failure.reason()).isEqualTo("disk_full");
        assertThat(failure.getCause()).hasMessageContaining("No space left");
        assertThat(log.problem()).startsWith("write failed");
        assertThat(log.endOffset(0)).isEqualTo(acknowledged);
        assertThat(log.sizeBytes()).as("failed bytes were cut from the files").isEqualTo(filesSize(dir));
        assertThat(LogFixture.segments(dir, 0)).as("segments created by the failed group are gone")
            .allSatisfy(f -> assertThat(Segment.parseBaseOffset(f)).isLessThanOrEqualTo(log.endOffset(0)));

        Files.delete(ballast);
        log.append(records("k", "r", (int) acknowledged, 100, 1000)).get(5, TimeUnit.SECONDS);
        acknowledged += 100;
        assertThat(log.problem()).isNull();
        assertThat(log.endOffset(0)).isEqualTo(acknowledged);
      }
      try (EmbeddedEventLog log = open(config);
           LogConsumer consumer = log.consumer("reader", List.of(0))) {
        assertThat(log.endOffset(0)).isEqualTo(acknowledged);
        List<StoredRecord> read = readExactly(consumer, (int) acknowledged);
        assertThat(read).extracting(StoredRecord::offset)
            .containsExactlyElementsOf(LongStream.range(0, acknowledged).boxed().collect(Collectors.toList()));
        assertThat(LogFixture.text(read.get(read.size() - 1))).isEqualTo("r-" + (acknowledged - 1));
      }
    } finally {
      Files.deleteIfExists(ballast);
      deleteTree(dir);
    }
  }

  private static long filesSize(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".seg")).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.delete(f);
        }
      }
    }
  }
}
