package io.trackside.log;

import static io.trackside.log.LogFixture.readExactly;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away and comes back, with the log open all along: appends fail within a bounded
 * time with {@link LogUnavailableException} (the collector's 503 + Retry-After), problem() says
 * why, and once the broker is back appends succeed again without reopening anything.
 */
class KafkaOutageTest {
  private static final Duration APPEND_TIMEOUT = Duration.ofSeconds(6);

  @TempDir
  static Path brokerDir;
  static KafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.start(brokerDir);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static List<LogRecord> one(String value) {
    return List.of(new LogRecord("visitor", System.currentTimeMillis(), value.getBytes(StandardCharsets.UTF_8), 0));
  }

  @Test
  void appendsFailWhileTheBrokerIsDownAndSucceedAgainWhenItReturns() throws Exception {
    KafkaLogConfig config = KafkaLogConfig.defaults(broker.bootstrapServers()).withTopic("outage").withPartitions(1)
        .withAppendTimeout(APPEND_TIMEOUT);
    try (KafkaEventLog log = KafkaEventLog.open(config, new SimpleMeterRegistry())) {
      log.append(one("before")).get(10, TimeUnit.SECONDS);
      try (LogConsumer consumer = log.consumer("warehouse", List.of(0))) {
        readExactly(consumer, 1);
        consumer.commit(Map.of(0, 1L));
      }
      assertThat(log.problem()).isNull();

      broker.stop();
      // The first append after the stop may be sent before the probe notices: it fails when the
      // producer gives up (the append timeout), never later, and is not stored.
      long start = System.nanoTime();
      CompletableFuture<Void> during = log.append(one("during"));
      assertThat(during).failsWithin(APPEND_TIMEOUT.plusSeconds(5))
          .withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOf(LogUnavailableException.class);
      long firstFailureMillis = (System.nanoTime() - start) / 1_000_000;
      System.out.println("first append during the outage failed after " + firstFailureMillis + " ms");

      assertThat(log.problem()).as("problem() after a failed append").contains(broker.bootstrapServers());
      await("the probe finds the broker gone", () -> String.valueOf(log.problem()).contains("cannot be reached"),
          Duration.ofSeconds(15));
      // Once the probe knows, appends are refused at once instead of waiting for a timeout.
      start = System.nanoTime();
      CompletableFuture<Void> refused = log.append(one("refused"));
      assertThat(refused).as("refused without waiting").isCompletedExceptionally();
      long refusalMillis = (System.nanoTime() - start) / 1_000_000;
      try {
        refused.get();
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(LogUnavailableException.class);
        LogUnavailableException unavailable = (LogUnavailableException) e.getCause();
        assertThat(unavailable.reason()).isEqualTo("broker_unavailable");
        assertThat(unavailable.retryAfterSeconds()).isPositive();
      }
      assertThat(refusalMillis).as("refusal while the broker is known down, ms").isLessThan(100);

      broker.startAgain();
      await("problem() clears", () -> log.problem() == null, Duration.ofSeconds(30));
      log.append(one("after")).get(20, TimeUnit.SECONDS);

      // Only what was acknowledged is in the log: "before" and "after".
      assertThat(log.endOffset(0)).isEqualTo(2);
      assertThat(log.committedOffset("warehouse", 0)).isEqualTo(1);
      try (LogConsumer consumer = log.consumer("warehouse", List.of(0))) {
        assertThat(readExactly(consumer, 1)).extracting(LogFixture::text).containsExactly("after");
      }
    }
  }

  private static void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " did not happen within " + timeout);
      }
      Thread.sleep(100);
    }
  }
}
