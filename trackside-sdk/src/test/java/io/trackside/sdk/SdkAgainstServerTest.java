package io.trackside.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against a real Trackside process, through a proxy that records the wire: batching by
 * count, bytes and time, gzip, a 400 that is not retried, limits, every message type as stored,
 * and nothing lost at close().
 */
class SdkAgainstServerTest {
  @TempDir
  static Path dir;

  static TracksideProcess server;
  static RecordingProxy proxy;

  @BeforeAll
  static void startServer() throws Exception {
    server = TracksideProcess.start(dir);
    proxy = new RecordingProxy(server.endpoint());
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  @BeforeEach
  void clearProxy() {
    proxy.clear();
  }

  private static Trackside.Builder client() {
    return Trackside.builder(TracksideProcess.WRITE_KEY).endpoint(proxy.endpoint())
        .retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)).closeTimeout(Duration.ofSeconds(60));
  }

  private static Set<String> ids(List<JsonNode> events) {
    return events.stream().map(e -> e.get("message_id").asText()).collect(Collectors.toSet());
  }

  @Test
  void batchesByCountGzippedAndEveryEventIsStoredOnce() throws Exception {
    Set<String> sentIds = new HashSet<>();
    try (Trackside trackside = client().flushQueueSize(250).flushInterval(Duration.ofSeconds(30)).build()) {
      for (int i = 0; i < 1000; i++) {
        Message m = TrackMessage.builder("Batch Test").userId("user-" + (i % 17)).properties(Map.of("i", i)).build();
        assertThat(trackside.enqueue(m)).isTrue();
        sentIds.add(m.messageId());
      }
      assertThat(trackside.flush(Duration.ofSeconds(60))).isTrue();
      Stats stats = trackside.stats();
      assertThat(stats.sent()).isEqualTo(1000);
      assertThat(stats.requests()).isEqualTo(4);
      assertThat(stats.dropped()).isZero();
      assertThat(stats.retried()).isZero();
      assertThat(stats.pending()).isZero();
    }

    List<RecordingProxy.Exchange> requests = proxy.exchanges();
    assertThat(requests).hasSize(4);
    String basic = "Basic " + Base64.getEncoder().encodeToString((TracksideProcess.WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8));
    for (RecordingProxy.Exchange r : requests) {
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/v1/batch");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.authorization()).isEqualTo(basic);
      assertThat(r.userAgent()).startsWith("trackside-java/");
      assertThat(r.contentEncoding()).isEqualTo("gzip");
      assertThat(r.body()[0] & 0xFF).as("gzip magic").isEqualTo(0x1f);
      assertThat(r.body()[1] & 0xFF).isEqualTo(0x8b);
      assertThat(r.body().length).as("compressed").isLessThan(r.inflated().length / 3);
      assertThat(r.events()).isEqualTo(250);
      assertThat(r.json().get("sentAt").asText()).endsWith("Z");
    }

    List<JsonNode> stored = server.eventsUntil("event=Batch%20Test", e -> e.size() >= 1000);
    assertThat(stored).hasSize(1000);
    assertThat(ids(stored)).isEqualTo(sentIds);
  }

  @Test
  void sendsAPartialBatchOnceTheOldestEventHasWaitedTheFlushInterval() throws Exception {
    try (Trackside trackside = client().flushQueueSize(250).flushInterval(Duration.ofMillis(500)).build()) {
      long enqueuedAt = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        trackside.enqueue(TrackMessage.builder("Interval Test").anonymousId("a-1"));
      }
      List<JsonNode> stored = server.eventsUntil("event=Interval%20Test", e -> e.size() >= 3);
      assertThat(stored).hasSize(3);
      List<RecordingProxy.Exchange> requests = proxy.exchanges();
      assertThat(requests).hasSize(1);
      assertThat(requests.get(0).events()).isEqualTo(3);
      assertThat(TimeUnit.NANOSECONDS.toMillis(requests.get(0).receivedAtNanos() - enqueuedAt))
          .as("ms from enqueue to the request").isBetween(450L, 5_000L);
    }
  }

  @Test
  void splitsBatchesByBytesToStayUnderTheRequestLimit() throws Exception {
    Random random = new Random(7);
    Set<String> sentIds = new HashSet<>();
    try (Trackside trackside = client().flushQueueSize(250).build()) {
      for (int i = 0; i < 60; i++) {
        StringBuilder noise = new StringBuilder();
        for (int c = 0; c < 20_000; c++) {
          noise.append((char) ('a' + random.nextInt(26)));
        }
        Message m = TrackMessage.builder("Bytes Test").anonymousId("a-" + i).properties(Map.of("noise", noise)).build();
        assertThat(trackside.enqueue(m)).isTrue();
        sentIds.add(m.messageId());
      }
      assertThat(trackside.flush()).isTrue();
      assertThat(trackside.stats().sent()).isEqualTo(60);
    }
    List<RecordingProxy.Exchange> requests = proxy.exchanges();
    assertThat(requests.size()).as("1.2 MB in requests of at most 500,000 bytes").isBetween(3, 4);
    for (RecordingProxy.Exchange r : requests) {
      assertThat(r.inflated().length).isLessThanOrEqualTo(500_000);
      assertThat(r.status()).isEqualTo(200);
    }
    assertThat(requests.stream().mapToInt(RecordingProxy.Exchange::events).sum()).isEqualTo(60);
    assertThat(ids(server.eventsUntil("event=Bytes%20Test", e -> e.size() >= 60))).isEqualTo(sentIds);
  }

  @Test
  void aBatchStoredButNotAnsweredIsSentAgainWithTheSameMessageIdsAndStoredOnce() throws Exception {
    double duplicatesBefore = server.metric("trackside_warehouse_duplicates_total");
    proxy.loseAnswers(1);
    Set<String> sentIds = new HashSet<>();
    try (Trackside trackside = client().build()) {
      for (int i = 0; i < 20; i++) {
        Message m = TrackMessage.builder("Lost Answer Test").anonymousId("a-" + i).build();
        trackside.enqueue(m);
        sentIds.add(m.messageId());
      }
      assertThat(trackside.flush()).isTrue();
      assertThat(trackside.stats().sent()).isEqualTo(20);
      assertThat(trackside.stats().retried()).isEqualTo(20);
    }
    List<RecordingProxy.Exchange> requests = proxy.exchanges();
    assertThat(requests).hasSize(2);
    assertThat(requests).allSatisfy(r -> assertThat(r.status()).as("the server stored both").isEqualTo(200));
    assertThat(requests.get(1).json().get("batch").findValuesAsText("messageId"))
        .isEqualTo(requests.get(0).json().get("batch").findValuesAsText("messageId"));
    List<JsonNode> stored = server.eventsUntil("event=Lost%20Answer%20Test", e -> e.size() >= 20);
    assertThat(stored).hasSize(20);
    assertThat(ids(stored)).isEqualTo(sentIds);
    assertThat(server.metric("trackside_warehouse_duplicates_total") - duplicatesBefore).isEqualTo(20);
  }

  @Test
  void aRequestTheServerRefusesWith400IsNotRetried() throws Exception {
    // The server takes at most 1,000 events per batch here; a client sending 1,200 at once gets 400.
    try (Trackside trackside = client().flushQueueSize(1500).build()) {
      for (int i = 0; i < 1200; i++) {
        trackside.enqueue(TrackMessage.builder("Refused Test").anonymousId("a-" + i));
      }
      assertThat(trackside.flush(Duration.ofSeconds(30))).isTrue();
      Thread.sleep(500); // room for a retry that must not come
      Stats stats = trackside.stats();
      assertThat(stats.rejected()).isEqualTo(1200);
      assertThat(stats.retried()).isZero();
      assertThat(stats.sent()).isZero();
      assertThat(stats.dropped()).isEqualTo(1200);
    }
    List<RecordingProxy.Exchange> requests = proxy.exchanges();
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0).status()).isEqualTo(400);
    assertThat(requests.get(0).events()).isEqualTo(1200);
    assertThat(server.events("event=Refused%20Test")).isEmpty();
  }

  @Test
  void oversizeAndInvalidEventsAreDroppedAndCountedWhileTheLargestAllowedOneIsStored() throws Exception {
    Map<String, Object> loop = new HashMap<>();
    loop.put("self", loop);
    Message largest;
    try (Trackside trackside = client().build()) {
      assertThat(trackside.enqueue(TrackMessage.builder("Limit Test").anonymousId("a").properties(
          Map.of("blob", "x".repeat(40_000))))).isFalse();
      assertThat(trackside.enqueue(TrackMessage.builder(" ").anonymousId("a"))).isFalse();
      assertThat(trackside.enqueue(TrackMessage.builder("Limit Test"))).as("no ids").isFalse();
      assertThat(trackside.enqueue(AliasMessage.builder("old-id").anonymousId("a"))).as("alias without userId").isFalse();
      assertThat(trackside.enqueue(TrackMessage.builder("Limit Test").anonymousId("a").properties(loop))).isFalse();

      // Exactly at the SDK's limit: the server (which adds sentAt before measuring) must take it.
      int limit = Trackside.MAX_EVENT_BYTES - Trackside.EVENT_HEADROOM;
      int base = TrackMessage.builder("Limit Test").anonymousId("a").messageId("limit-largest")
          .timestamp(Instant.parse("2024-05-01T10:00:00Z")).properties(Map.of("blob", "")).build().bytes().length;
      largest = TrackMessage.builder("Limit Test").anonymousId("a").messageId("limit-largest")
          .timestamp(Instant.parse("2024-05-01T10:00:00Z")).properties(Map.of("blob", "é".repeat((limit - base) / 2))).build();
      assertThat(largest.bytes().length).isBetween(limit - 1, limit);
      assertThat(trackside.enqueue(largest)).isTrue();
      // Emoji are escaped (12 bytes each) by the server's serialiser as by ours.
      int baseEmoji = TrackMessage.builder("Limit Test").anonymousId("a").messageId("limit-emoji")
          .timestamp(Instant.parse("2024-05-01T10:00:00Z")).properties(Map.of("blob", "")).build().bytes().length;
      int emoji = (limit - baseEmoji) / 12;
      Message largestEmoji = TrackMessage.builder("Limit Test").anonymousId("a").messageId("limit-emoji")
          .timestamp(Instant.parse("2024-05-01T10:00:00Z")).properties(Map.of("blob",
              "\uD83D\uDE00".repeat(emoji) + "x".repeat(limit - baseEmoji - 12 * emoji))).build();
      assertThat(largestEmoji.bytes().length).isEqualTo(limit);
      assertThat(trackside.enqueue(largestEmoji)).isTrue();
      assertThat(trackside.flush()).isTrue();

      Stats stats = trackside.stats();
      assertThat(stats.droppedOversize()).isEqualTo(1);
      assertThat(stats.droppedInvalid()).isEqualTo(4);
      assertThat(stats.sent()).isEqualTo(2);
      assertThat(stats.enqueued()).isEqualTo(7);
      assertThat(stats.enqueued()).isEqualTo(stats.sent() + stats.dropped() + stats.pending());
    }
    List<JsonNode> stored = server.eventsUntil("event=Limit%20Test", e -> e.size() >= 2);
    assertThat(stored).extracting(e -> e.get("message_id").asText()).containsExactlyInAnyOrder("limit-largest", "limit-emoji");
    assertThat(server.quarantine()).noneMatch(q -> q.get("message_id").asText("").startsWith("limit-"));
  }

  @Test
  void everyMessageTypeIsStoredAsBuilt() throws Exception {
    Instant at = Instant.parse("2024-05-01T10:00:03.120Z");
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("revenue", 19.5);
    properties.put("currency", "EUR");
    properties.put("items", List.of(Map.of("sku", "A-1", "qty", 2)));
    properties.put("text", "quote \" backslash \\ newline \n tab \t bell \u0007 emoji \uD83D\uDE00 lone \uD83D end");
    properties.put("none", null);
    properties.put("when", Instant.parse("2024-04-30T08:00:00Z"));
    String prefix = "types-" + System.nanoTime() + "-";
    try (Trackside trackside = client().build()) {
      trackside.enqueue(TrackMessage.builder("Order Completed").userId("u-42").messageId(prefix + "track")
          .timestamp(at).properties(properties));
      trackside.enqueue(PageMessage.builder("Pricing").anonymousId("a-7").messageId(prefix + "page").timestamp(at)
          .properties(Map.of("path", "/pricing", "url", "https://shop.example/pricing")));
      trackside.enqueue(ScreenMessage.builder("Home").userId("u-42").messageId(prefix + "screen").timestamp(at));
      trackside.enqueue(IdentifyMessage.builder().userId("u-42").messageId(prefix + "identify").timestamp(at)
          .traits(Map.of("plan", "pro")));
      trackside.enqueue(GroupMessage.builder("g-1").userId("u-42").messageId(prefix + "group").timestamp(at)
          .traits(Map.of("name", "Acme")));
      trackside.enqueue(AliasMessage.builder("a-7").userId("u-42").messageId(prefix + "alias").timestamp(at));
      assertThat(trackside.flush()).isTrue();
      assertThat(trackside.stats().sent()).isEqualTo(6);
    }
    Map<String, JsonNode> byId = new HashMap<>();
    for (JsonNode e : server.eventsUntil("", all -> all.stream().filter(
        e -> e.get("message_id").asText().startsWith(prefix)).count() >= 6)) {
      byId.put(e.get("message_id").asText(), e);
    }
    List<String> types = new ArrayList<>();
    for (String type : List.of("track", "page", "screen", "identify", "group", "alias")) {
      JsonNode e = byId.get(prefix + type);
      assertThat(e).as(type).isNotNull();
      types.add(e.get("type").asText());
      assertThat(e.get("library_name").asText()).isEqualTo("trackside-java");
      assertThat(e.get("library_version").asText()).isEqualTo(Library.VERSION).isNotEqualTo("unknown");
      assertThat(e.get("original_timestamp").asText()).startsWith("2024-05-01").contains("10:00:03.12");
    }
    assertThat(types).containsExactly("track", "page", "screen", "identify", "group", "alias");
    JsonNode track = byId.get(prefix + "track");
    assertThat(track.get("event").asText()).isEqualTo("Order Completed");
    assertThat(track.get("user_id").asText()).isEqualTo("u-42");
    JsonNode stored = TracksideProcess.json(track.get("properties"));
    assertThat(stored.get("revenue").asDouble()).isEqualTo(19.5);
    assertThat(stored.get("items").get(0).get("qty").asInt()).isEqualTo(2);
    assertThat(stored.get("text").asText())
        .isEqualTo("quote \" backslash \\ newline \n tab \t bell \u0007 emoji \uD83D\uDE00 lone \uFFFD end");
    assertThat(stored.get("none").isNull()).isTrue();
    assertThat(stored.get("when").asText()).isEqualTo("2024-04-30T08:00:00Z");
    assertThat(byId.get(prefix + "page").get("name").asText()).isEqualTo("Pricing");
    assertThat(byId.get(prefix + "page").get("page_path").asText()).isEqualTo("/pricing");
    assertThat(byId.get(prefix + "group").get("group_id").asText()).isEqualTo("g-1");
    assertThat(byId.get(prefix + "alias").get("previous_id").asText()).isEqualTo("a-7");
  }

  @Test
  void closeSendsEverythingQueued() throws Exception {
    Set<String> idsA = new HashSet<>();
    Set<String> idsB = new HashSet<>();
    long enqueueNanos;
    long closeNanos;
    Stats stats;
    Trackside trackside = client().build(); // defaults: 250 per batch, 10 s interval, 10,000 queued
    long start = System.nanoTime();
    for (int i = 0; i < 10_000; i++) {
      boolean a = i % 2 == 0;
      Message m = TrackMessage.builder(a ? "Close Test A" : "Close Test B").anonymousId("v-" + (i % 100))
          .properties(Map.of("i", i, "sku", "SKU-" + i, "price", i * 0.01)).build();
      assertThat(trackside.enqueue(m)).isTrue();
      (a ? idsA : idsB).add(m.messageId());
    }
    enqueueNanos = System.nanoTime() - start;
    long closeStart = System.nanoTime();
    trackside.close();
    closeNanos = System.nanoTime() - closeStart;
    stats = trackside.stats();
    System.out.printf("closeSendsEverythingQueued: 10,000 enqueued in %d ms, close() took %d ms, %d requests%n",
        TimeUnit.NANOSECONDS.toMillis(enqueueNanos), TimeUnit.NANOSECONDS.toMillis(closeNanos), stats.requests());
    assertThat(stats.sent()).isEqualTo(10_000);
    assertThat(stats.pending()).isZero();
    assertThat(stats.dropped()).isZero();
    assertThat(trackside.enqueue(TrackMessage.builder("Close Test A").anonymousId("late"))).isFalse();
    assertThat(trackside.stats().droppedClosed()).isEqualTo(1);

    List<JsonNode> a = server.eventsUntil("event=Close%20Test%20A", e -> e.size() >= 5000);
    List<JsonNode> b = server.eventsUntil("event=Close%20Test%20B", e -> e.size() >= 5000);
    assertThat(a).hasSize(5000);
    assertThat(b).hasSize(5000);
    assertThat(ids(a)).isEqualTo(idsA);
    assertThat(ids(b)).isEqualTo(idsB);
  }
}
