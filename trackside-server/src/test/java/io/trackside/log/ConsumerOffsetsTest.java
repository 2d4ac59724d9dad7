package io.trackside.log;

import static io.trackside.log.LogFixture.config;
import static io.trackside.log.LogFixture.open;
import static io.trackside.log.LogFixture.readExactly;
import static io.trackside.log.LogFixture.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsumerOffsetsTest {
  @TempDir
  Path dir;

  @Test
  void committedPositionsSurviveARestartAndConsumersResumeThere() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 2))) {
      log.append(records("a", "a", 0, 20, 50)).get(5, TimeUnit.SECONDS);
      log.append(records("b", "b", 0, 20, 50)).get(5, TimeUnit.SECONDS);
      assertThat(log.committedOffset("warehouse", 0)).isZero();
      try (LogConsumer consumer = log.consumer("warehouse", List.of(0, 1))) {
        List<StoredRecord> first = consumer.poll(10, Duration.ofSeconds(1));
        assertThat(first).isNotEmpty();
        consumer.commit(Map.of(0, 7L, 1, 12L));
      }
      try (LogConsumer other = log.consumer("ga4", List.of(0))) {
        other.commit(Map.of(0, 3L));
      }
      assertThat(log.committedOffset("warehouse", 0)).isEqualTo(7);
    }
    assertThat(dir.resolve("consumers/warehouse.offsets")).exists();

    try (EmbeddedEventLog log = open(config(dir, 2))) {
      assertThat(log.committedOffset("warehouse", 0)).isEqualTo(7);
      assertThat(log.committedOffset("warehouse", 1)).isEqualTo(12);
      assertThat(log.committedOffset("ga4", 0)).isEqualTo(3);
      assertThat(log.committedOffset("ga4", 1)).isZero();
      assertThat(log.committedOffset("nobody", 0)).isZero();
      try (LogConsumer consumer = log.consumer("warehouse", List.of(0, 1))) {
        List<StoredRecord> rest = readExactly(consumer, (20 - 7) + (20 - 12));
        assertThat(rest.stream().filter(r -> r.partition() == 0).findFirst().orElseThrow().offset()).isEqualTo(7);
        assertThat(rest.stream().filter(r -> r.partition() == 1).findFirst().orElseThrow().offset()).isEqualTo(12);
      }
    }
  }

  @Test
  void consumersOfOneGroupCommitTheirOwnPartitionsWithoutLosingTheOthers() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 2));
         LogConsumer left = log.consumer("sink", List.of(0));
         LogConsumer right = log.consumer("sink", List.of(1))) {
      left.commit(Map.of(0, 5L));
      right.commit(Map.of(1, 9L));
      left.commit(Map.of(0, 6L));
      assertThat(log.committedOffset("sink", 0)).isEqualTo(6);
      assertThat(log.committedOffset("sink", 1)).isEqualTo(9);
      assertThat(Files.readString(dir.resolve("consumers/sink.offsets"))).contains("0 6", "1 9");
    }
  }

  @Test
  void badArgumentsAreRejected() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 2))) {
      assertThatThrownBy(() -> log.consumer("../etc", List.of(0))).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> log.consumer("g", List.of(2))).isInstanceOf(IllegalArgumentException.class);
      try (LogConsumer consumer = log.consumer("g", List.of(0))) {
        assertThatThrownBy(() -> consumer.commit(Map.of(1, 1L))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> consumer.seek(0, -1)).isInstanceOf(IllegalArgumentException.class);
      }
    }
  }
}
