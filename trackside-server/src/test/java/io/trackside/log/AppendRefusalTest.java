package io.trackside.log;

import static io.trackside.log.LogFixture.all;
import static io.trackside.log.LogFixture.config;
import static io.trackside.log.LogFixture.open;
import static io.trackside.log.LogFixture.readExactly;
import static io.trackside.log.LogFixture.records;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendRefusalTest {
  private static final int RECORD_BYTES = RecordFormat.HEADER_BYTES + 100;

  @TempDir
  Path dir;

  @Test
  void refusesWithDiskFullWhenFreeSpaceIsBelowTheMinimum() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (EmbeddedEventLog log = open(config(dir, 2).withMinFreeDiskBytes(Long.MAX_VALUE / 2), registry)) {
      LogUnavailableException refusal = refusal(log.append(records("k", "r", 0, 3, 100)));
      assertThat(refusal.reason()).isEqualTo("disk_full");
      assertThat(refusal.retryAfterSeconds()).isPositive();
      assertThat(refusal.getMessage()).startsWith("disk almost full:");
      assertThat(log.problem()).startsWith("disk almost full:").contains("MB free, need");
      assertThat(registry.get("trackside.log.refused").tag("reason", "disk_full").counter().count()).isEqualTo(3);
      assertThat(log.endOffset(0) + log.endOffset(1)).isZero();
    }
  }

  @Test
  void refusesWithQueueFullWhenAnAppendDoesNotFitTheQueue() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 1).withMaxQueuedBytes(2L * RECORD_BYTES))) {
      assertThat(refusal(log.append(records("k", "big", 0, 3, 100))).reason()).isEqualTo("queue_full");
      log.append(records("k", "fits", 0, 2, 100)).get(5, TimeUnit.SECONDS);
      assertThat(log.endOffset(0)).isEqualTo(2);
      assertThat(log.problem()).isNull();
    }
  }

  @Test
  void underLoadEveryAppendIsEitherStoredOrRefusedWithQueueFull() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (EmbeddedEventLog log = open(config(dir, 2).withMaxQueuedBytes(20L * RECORD_BYTES), registry)) {
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        futures.add(log.append(records("key-" + i, "r" + i, 0, 5, 100)));
      }
      int stored = 0;
      int refused = 0;
      for (CompletableFuture<Void> future : futures) {
        try {
          future.get(10, TimeUnit.SECONDS);
          stored++;
        } catch (ExecutionException e) {
          assertThat(((LogUnavailableException) e.getCause()).reason()).isEqualTo("queue_full");
          refused++;
        }
      }
      assertThat(refused).as("the tiny queue overflowed").isPositive();
      assertThat(stored).isPositive();
      assertThat(log.endOffset(0) + log.endOffset(1)).isEqualTo(stored * 5L);
      assertThat(registry.get("trackside.log.refused").tag("reason", "queue_full").counter().count())
          .isEqualTo(refused * 5.0);
      assertThat(registry.get("trackside.log.queued.bytes").gauge().value()).isZero();
      try (LogConsumer consumer = log.consumer("reader", all(log))) {
        readExactly(consumer, stored * 5);
      }
    }
  }

  @Test
  void refusesWithLogFullAtTheHardCap() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 1).withMaxBytes(10L * RECORD_BYTES))) {
      log.append(records("k", "r", 0, 10, 100)).get(5, TimeUnit.SECONDS);
      assertThat(refusal(log.append(records("k", "more", 0, 1, 100))).reason()).isEqualTo("log_full");
      assertThat(log.problem()).startsWith("event log full");
      assertThat(log.endOffset(0)).isEqualTo(10);
    }
  }

  @Test
  void rejectsNullValuesWithoutThrowing() throws Exception {
    try (EmbeddedEventLog log = open(config(dir, 1))) {
      CompletableFuture<Void> future = log.append(List.of(new LogRecord("k", 0, null)));
      assertThat(future).isCompletedExceptionally();
      assertThat(log.append(List.of())).isCompleted();
    }
  }

  private static LogUnavailableException refusal(CompletableFuture<Void> future)
      throws InterruptedException, TimeoutException {
    try {
      future.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(LogUnavailableException.class);
      return (LogUnavailableException) e.getCause();
    }
    throw new AssertionError("append was accepted");
  }
}
