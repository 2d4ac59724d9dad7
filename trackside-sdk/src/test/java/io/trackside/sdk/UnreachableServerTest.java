package io.trackside.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The application's threads never wait for the server: not when it hangs (accepts connections
 * and never answers — the worst case for a blocking client), not when it refuses connections.
 * A full queue drops and counts; close() keeps to its time limit and counts what it gave up.
 */
class UnreachableServerTest {

  @Test
  void enqueueNeverBlocksOnAHangingServerAndCountsWhatTheFullQueueDrops() throws Exception {
    List<Socket> held = new CopyOnWriteArrayList<>();
    try (ServerSocket hanging = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            held.add(hanging.accept()); // never read, never answered
          }
        } catch (IOException closed) {
          // test over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();

      Trackside trackside = Trackside.builder("wk_x").endpoint("http://127.0.0.1:" + hanging.getLocalPort())
          .maxQueueSize(100).flushQueueSize(50).requestTimeout(Duration.ofSeconds(60))
          .closeTimeout(Duration.ofSeconds(1)).build();
      long slowest = 0;
      long start = System.nanoTime();
      for (int i = 0; i < 10_000; i++) {
        long t = System.nanoTime();
        trackside.enqueue(TrackMessage.builder("Hang Test").anonymousId("a-" + i));
        slowest = Math.max(slowest, System.nanoTime() - t);
      }
      long totalMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("hanging server: 10,000 enqueue calls in %d ms, slowest %d µs%n", totalMillis,
          TimeUnit.NANOSECONDS.toMicros(slowest));
      assertThat(totalMillis).as("10,000 enqueue calls, ms").isLessThan(3_000);
      assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).as("slowest enqueue, ms").isLessThan(500);

      Stats before = trackside.stats();
      long accepted = before.enqueued() - before.droppedQueueFull();
      assertThat(before.enqueued()).isEqualTo(10_000);
      assertThat(accepted).as("queued + the one batch in flight").isBetween(100L, 150L);
      assertThat(before.sent()).isZero();
      assertThat(before.pending()).isEqualTo(accepted);
      assertThat(before.enqueued()).isEqualTo(before.sent() + before.dropped() + before.pending());

      long closeStart = System.nanoTime();
      trackside.close();
      long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart);
      assertThat(closeMillis).as("close() with closeTimeout 1 s, ms").isBetween(900L, 6_000L);
      Stats after = trackside.stats();
      assertThat(after.pending()).isZero();
      assertThat(after.givenUp()).isEqualTo(accepted);
      assertThat(after.enqueued()).isEqualTo(after.sent() + after.dropped() + after.pending());
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void aRefusedConnectionIsRetriedAndGivenUpAfterMaxRetriesWithoutBlockingTheCaller() throws Exception {
    int port = TracksideProcess.freePort(); // nothing listens there
    try (Trackside trackside = Trackside.builder("wk_x").endpoint("http://127.0.0.1:" + port)
        .maxRetries(3).retryBackoff(Duration.ofMillis(20), Duration.ofMillis(50)).build()) {
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        assertThat(trackside.enqueue(TrackMessage.builder("Refused Port").anonymousId("a"))).isTrue();
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000);
      assertThat(trackside.flush(Duration.ofSeconds(10))).isTrue();
      Stats stats = trackside.stats();
      assertThat(stats.givenUp()).isEqualTo(10);
      assertThat(stats.retried()).isEqualTo(30);
      assertThat(stats.sent()).isZero();
    }
  }
}
