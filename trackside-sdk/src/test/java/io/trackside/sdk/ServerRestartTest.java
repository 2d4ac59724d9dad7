package io.trackside.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server dies (SIGKILL, mid-stream) and comes back on the same port and data directory while
 * the application keeps enqueueing: the SDK keeps the events, retries, and every one of them is
 * stored exactly once — a batch the dead server had stored but not answered is sent again with
 * the same messageIds, and the server's dedupe drops the copy.
 */
class ServerRestartTest {
  @TempDir
  Path dir;

  @Test
  void everyEventArrivesExactlyOnceAcrossAKillAndRestart() throws Exception {
    TracksideProcess server = TracksideProcess.start(dir);
    Set<String> ids = ConcurrentHashMap.newKeySet();
    AtomicLong slowestEnqueueNanos = new AtomicLong();
    int total = 3000;
    try (Trackside trackside = Trackside.builder(TracksideProcess.WRITE_KEY).endpoint(server.endpoint())
        .flushQueueSize(50).flushInterval(Duration.ofMillis(100))
        .maxRetries(10_000).retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
        .requestTimeout(Duration.ofSeconds(5)).maxQueueSize(20_000).closeTimeout(Duration.ofSeconds(120)).build()) {
      Thread producer = new Thread(() -> {
        for (int i = 0; i < total; i++) {
          Message m = TrackMessage.builder("Restart Test").anonymousId("v-" + (i % 40)).properties(Map.of("i", i)).build();
          long start = System.nanoTime();
          boolean queued = trackside.enqueue(m);
          slowestEnqueueNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
          if (queued) {
            ids.add(m.messageId());
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
      }, "producer");
      producer.start();

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (trackside.stats().sent() < 500 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(trackside.stats().sent()).as("sent before the kill").isGreaterThanOrEqualTo(500);
      server.kill();
      Thread.sleep(300); // an answer received just before the kill may still be being counted
      long sentWhenKilled = trackside.stats().sent();
      Thread.sleep(1200);
      Stats whileDown = trackside.stats();
      assertThat(whileDown.sent()).as("nothing acknowledged while the server is dead").isEqualTo(sentWhenKilled);
      assertThat(whileDown.retried()).as("retrying while the server is dead").isPositive();
      server.start();

      producer.join();
      assertThat(trackside.flush(Duration.ofSeconds(120))).isTrue();
      Stats stats = trackside.stats();
      System.out.printf("ServerRestartTest: %s; slowest enqueue %d µs%n", stats,
          TimeUnit.NANOSECONDS.toMicros(slowestEnqueueNanos.get()));
      assertThat(ids).hasSize(total);
      assertThat(stats.sent()).isEqualTo(total);
      assertThat(stats.dropped()).isZero();
      assertThat(stats.retried()).isPositive();
      assertThat(TimeUnit.NANOSECONDS.toMillis(slowestEnqueueNanos.get()))
          .as("enqueue waits for no server: the slowest call, in ms").isLessThan(500);

      List<JsonNode> stored = server.eventsUntil("event=Restart%20Test", e -> e.size() >= total);
      assertThat(stored).hasSize(total);
      assertThat(stored.stream().map(e -> e.get("message_id").asText()).collect(Collectors.toSet())).isEqualTo(ids);
      // How many copies the server dropped: batches it had stored when it died, sent again (often 0).
      System.out.printf("ServerRestartTest: duplicates dropped by the server: %.0f%n",
          server.metric("trackside_warehouse_duplicates_total"));
    } finally {
      server.close();
    }
  }
}
