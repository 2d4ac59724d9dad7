package io.trackside.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Helpers shared by the log tests: real files, a real registry, nothing mocked. */
final class LogFixture {
  private LogFixture() {
  }

  static EmbeddedLogConfig config(Path dir, int partitions) {
    return EmbeddedLogConfig.defaults(dir).withPartitions(partitions).withMinFreeDiskBytes(0);
  }

  static EmbeddedEventLog open(EmbeddedLogConfig config, SimpleMeterRegistry registry) {
    try {
      return EmbeddedEventLog.open(config, registry);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static EmbeddedEventLog open(EmbeddedLogConfig config) {
    return open(config, new SimpleMeterRegistry());
  }

  static LogRecord record(String key, String value) {
    return new LogRecord(key, System.currentTimeMillis(), value.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code count} records "prefix-i" with the same key, padded to {@code size} bytes. */
  static List<LogRecord> records(String key, String prefix, int from, int count, int size) {
    return IntStream.range(from, from + count)
        .mapToObj(i -> record(key, pad(prefix + "-" + i, size)))
        .collect(Collectors.toList());
  }

  static String pad(String text, int size) {
    StringBuilder out = new StringBuilder(text);
    while (out.length() < size) {
      out.append('.');
    }
    return out.toString();
  }

  static String text(StoredRecord record) {
    String value = new String(record.value(), StandardCharsets.UTF_8);
    int dots = value.indexOf('.');
    return dots < 0 ? value : value.substring(0, dots);
  }

  /** Polls until {@code count} records arrived (failing after a few seconds) and checks no more come. */
  static List<StoredRecord> readExactly(LogConsumer consumer, int count) throws InterruptedException {
    List<StoredRecord> out = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (out.size() < count && System.nanoTime() < deadline) {
      out.addAll(consumer.poll(Math.max(1, Math.min(500, count - out.size())), Duration.ofMillis(200)));
    }
    assertThat(out).as("records read").hasSize(count);
    assertThat(consumer.poll(100, Duration.ofMillis(20))).as("records beyond the expected ones").isEmpty();
    return out;
  }

  static List<Integer> all(EventLog log) {
    return IntStream.range(0, log.partitions()).boxed().collect(Collectors.toList());
  }

  static List<Path> segments(Path dir, int partition) throws IOException {
    try (Stream<Path> files = Files.list(PartitionLog.dirOf(dir, partition))) {
      return files.filter(f -> f.toString().endsWith(".seg")).sorted().collect(Collectors.toList());
    }
  }
}
