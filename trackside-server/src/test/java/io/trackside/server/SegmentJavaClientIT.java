package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.messages.AliasMessage;
import com.segment.analytics.messages.GroupMessage;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.ScreenMessage;
import com.segment.analytics.messages.TrackMessage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segment's own Java library (com.segment.analytics.java:analytics), pointed at Trackside. */
class SegmentJavaClientIT {
  @TempDir
  Path dir;

  @Test
  void everyCallTypeSentByAnalyticsJavaIsStored() throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      int tracks = 500;
      CountDownLatch done = new CountDownLatch(tracks + 5);
      Set<String> failures = ConcurrentHashMap.newKeySet();
      Analytics analytics = Analytics.builder(TestNode.WRITE_KEY)
          .endpoint("http://127.0.0.1:" + node.node.port())
          .flushQueueSize(50)
          .flushInterval(1, TimeUnit.SECONDS)
          .callback(new Callback() {
            @Override
            public void success(Message message) {
              done.countDown();
            }

            @Override
            public void failure(Message message, Throwable throwable) {
              failures.add(message.messageId() + ": " + throwable);
              done.countDown();
            }
          })
          .build();
      analytics.enqueue(IdentifyMessage.builder().userId("user-7").traits(Map.of("plan", "pro", "email", "a@example.com")));
      analytics.enqueue(PageMessage.builder("Pricing").userId("user-7").properties(Map.of("path", "/pricing")));
      analytics.enqueue(ScreenMessage.builder("Home").userId("user-7"));
      analytics.enqueue(GroupMessage.builder("acme").userId("user-7").traits(Map.of("name", "Acme")));
      analytics.enqueue(AliasMessage.builder("anon-7").userId("user-7"));
      for (int i = 0; i < tracks; i++) {
        analytics.enqueue(TrackMessage.builder("Item Purchased").userId("user-" + (i % 20))
            .properties(Map.of("revenue", 10 + i, "currency", "EUR", "n", i)));
      }
      analytics.flush();
      assertThat(done.await(60, TimeUnit.SECONDS)).as("callbacks for every message").isTrue();
      analytics.shutdown();
      assertThat(failures).isEmpty();

      JsonNode events = node.eventsUntil("?limit=10000", e -> e.size() >= tracks + 5);
      assertThat(events).hasSize(tracks + 5);
      List<String> types = StreamSupport.stream(events.spliterator(), false).map(e -> e.get("type").asText()).toList();
      assertThat(Set.copyOf(types)).containsExactlyInAnyOrder("identify", "page", "screen", "group", "alias", "track");
      assertThat(StreamSupport.stream(events.spliterator(), false).map(e -> e.get("message_id").asText())
          .collect(Collectors.toSet())).hasSize(tracks + 5);
      JsonNode identify = StreamSupport.stream(events.spliterator(), false)
          .filter(e -> e.get("type").asText().equals("identify")).findFirst().orElseThrow();
      assertThat(identify.at("/traits/plan").asText()).isEqualTo("pro");
      assertThat(identify.get("library_name").asText()).isEqualTo("analytics-java");
      JsonNode group = StreamSupport.stream(events.spliterator(), false)
          .filter(e -> e.get("type").asText().equals("group")).findFirst().orElseThrow();
      assertThat(group.get("group_id").asText()).isEqualTo("acme");
      JsonNode alias = StreamSupport.stream(events.spliterator(), false)
          .filter(e -> e.get("type").asText().equals("alias")).findFirst().orElseThrow();
      assertThat(alias.get("previous_id").asText()).isEqualTo("anon-7");
    }
  }
}
