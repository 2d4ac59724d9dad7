package io.trackside.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the sender does with each kind of answer, against a scripted server. */
class SenderProtocolTest {

  private static Trackside.Builder client(StubServer stub) {
    return Trackside.builder("wk_stub").endpoint(stub.endpoint()).flushInterval(Duration.ofSeconds(30))
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(20));
  }

  private static long millisBetween(StubServer.Request a, StubServer.Request b) {
    return TimeUnit.NANOSECONDS.toMillis(b.atNanos() - a.atNanos());
  }

  @Test
  void a503WithRetryAfterIsRetriedAfterThatLongWithTheSameMessageIdsAndAFreshSentAt() throws Exception {
    try (StubServer stub = new StubServer(StubServer.Answer.of(503, "Retry-After", "1"), StubServer.Answer.of(200));
         Trackside trackside = client(stub).build()) {
      for (int i = 0; i < 5; i++) {
        trackside.enqueue(TrackMessage.builder("Retry").anonymousId("a-" + i));
      }
      assertThat(trackside.flush(Duration.ofSeconds(10))).isTrue();
      List<StubServer.Request> requests = stub.requests();
      assertThat(requests).hasSize(2);
      assertThat(requests.get(1).messageIds()).hasSize(5).isEqualTo(requests.get(0).messageIds());
      assertThat(millisBetween(requests.get(0), requests.get(1))).as("waited for Retry-After: 1").isGreaterThanOrEqualTo(950);
      Instant firstSentAt = Instant.parse(requests.get(0).json().get("sentAt").asText());
      Instant secondSentAt = Instant.parse(requests.get(1).json().get("sentAt").asText());
      assertThat(Duration.between(firstSentAt, secondSentAt).toMillis()).isGreaterThanOrEqualTo(900);
      assertThat(requests.get(0).json().get("batch").get(0).get("timestamp").asText())
          .isEqualTo(requests.get(1).json().get("batch").get(0).get("timestamp").asText());
      Stats stats = trackside.stats();
      assertThat(stats.sent()).isEqualTo(5);
      assertThat(stats.retried()).isEqualTo(5);
      assertThat(stats.requests()).isEqualTo(1);
      assertThat(stats.dropped()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 500, 502, 503, 504, 408})
  void transientAnswersAreRetried(int status) throws Exception {
    try (StubServer stub = new StubServer(StubServer.Answer.of(status), StubServer.Answer.of(status), StubServer.Answer.of(200));
         Trackside trackside = client(stub).build()) {
      trackside.enqueue(TrackMessage.builder("Retry").anonymousId("a"));
      assertThat(trackside.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(stub.requests()).hasSize(3);
      assertThat(trackside.stats().sent()).isEqualTo(1);
      assertThat(trackside.stats().retried()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 413})
  void clientErrorsAreNotRetriedButCountedAsRejected(int status) throws Exception {
    try (StubServer stub = new StubServer(StubServer.Answer.of(status), StubServer.Answer.of(200));
         Trackside trackside = client(stub).build()) {
      trackside.enqueue(TrackMessage.builder("Refused").anonymousId("a"));
      trackside.enqueue(TrackMessage.builder("Refused").anonymousId("b"));
      assertThat(trackside.flush(Duration.ofSeconds(10))).isTrue();
      Thread.sleep(200); // room for a retry that must not come
      assertThat(stub.requests()).hasSize(1);
      Stats stats = trackside.stats();
      assertThat(stats.rejected()).isEqualTo(2);
      assertThat(stats.retried()).isZero();
      assertThat(stats.sent()).isZero();
    }
  }

  @Test
  void backsOffExponentiallyWithJitterAndGivesUpAfterMaxRetries() throws Exception {
    try (StubServer stub = new StubServer(StubServer.Answer.of(500));
         Trackside trackside = client(stub).maxRetries(4).retryBackoff(Duration.ofMillis(100), Duration.ofMillis(400)).build()) {
      trackside.enqueue(TrackMessage.builder("Doomed").anonymousId("a"));
      trackside.enqueue(TrackMessage.builder("Doomed").anonymousId("b"));
      assertThat(trackside.flush(Duration.ofSeconds(10))).isTrue();
      List<StubServer.Request> requests = stub.requests();
      assertThat(requests).hasSize(5);
      long[] steps = {100, 200, 400, 400};
      for (int i = 0; i < 4; i++) {
        long gap = millisBetween(requests.get(i), requests.get(i + 1));
        assertThat(gap).as("wait before retry %d", i + 1).isBetween(steps[i] / 2 - 5, steps[i] + 300);
        assertThat(requests.get(i + 1).messageIds()).isEqualTo(requests.get(0).messageIds());
      }
      Stats stats = trackside.stats();
      assertThat(stats.givenUp()).isEqualTo(2);
      assertThat(stats.retried()).isEqualTo(8);
      assertThat(stats.pending()).isZero();
      assertThat(stats.enqueued()).isEqualTo(stats.sent() + stats.dropped() + stats.pending());
    }
  }

  @Test
  void postsGzippedJsonToTheEndpointsPathWithBasicAuth() throws Exception {
    try (StubServer stub = new StubServer(StubServer.Answer.of(200));
         Trackside trackside = Trackside.builder("wk_stub").endpoint(stub.endpoint() + "/collect/").build()) {
      trackside.enqueue(IdentifyMessage.builder().userId("u-1"));
      assertThat(trackside.flush(Duration.ofSeconds(10))).isTrue();
      StubServer.Request r = stub.requests().get(0);
      assertThat(r.path()).isEqualTo("/collect/v1/batch");
      assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      assertThat(r.header("Authorization")).isEqualTo("Basic d2tfc3R1Yjo="); // base64("wk_stub:")
      assertThat(r.json().get("batch").get(0).get("context").get("library").get("name").asText()).isEqualTo("trackside-java");
    }
  }
}
