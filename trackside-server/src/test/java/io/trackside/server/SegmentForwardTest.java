package io.trackside.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Segment-compatible destination against the most demanding receiver at hand: another
 * Trackside. Events posted to the first arrive in the second's warehouse with their messageIds
 * and their (already corrected) timestamps, however late they are forwarded.
 */
class SegmentForwardTest {
  private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
      + " Chrome/131.0.0.0 Safari/537.36";

  @TempDir
  Path dir;

  @Test
  void eventsForwardedToAnotherTracksideKeepTheirIdsAndTimes() throws Exception {
    try (TestNode receiver = TestNode.start(dir.resolve("b"), Map.of("write-key", "wk_receiver_key"))) {
      Path a = dir.resolve("a");
      Files.createDirectories(a);
      Files.writeString(a.resolve("trackside.yml"), """
          destinations:
            - id: upstream
              type: segment
              url: http://127.0.0.1:%d
              write-key: wk_receiver_key
              linger: 20ms
          """.formatted(receiver.node.port()));
      try (TestNode sender = TestNode.start(a)) {
        assertEquals(200, sender.post("/v1/batch", """
            {"batch":[
             {"type":"track","event":"Order Completed","messageId":"fwd-1","anonymousId":"v1",
              "timestamp":"2026-11-29T08:00:00Z","sentAt":"2026-11-29T08:00:00Z","properties":{"revenue":10},
              "context":{"consent":{"categoryPreferences":{"analytics":true}},"userAgent":"%s"}},
             {"type":"page","messageId":"fwd-2","anonymousId":"v1","name":"Home",
              "context":{"consent":{"categoryPreferences":{"analytics":true}},"userAgent":"%s",
                         "page":{"url":"https://shop.example/"}}}
            ]}""".formatted(CHROME, CHROME)).statusCode());
        JsonNode events = receiver.eventsUntil("?limit=10", e -> e.size() == 2);
        assertEquals(2, events.size(), "both forwarded events are stored by the receiver: " + events);
        JsonNode sent = sender.eventsUntil("?limit=10", e -> e.size() == 2);
        for (JsonNode original : sent) {
          JsonNode copy = find(events, original.path("message_id").asText());
          assertEquals(original.path("type").asText(), copy.path("type").asText());
          assertEquals(original.path("timestamp").asText(), copy.path("timestamp").asText(),
              "the receiver keeps the timestamp instead of re-correcting it at forwarding time");
        }
      }
    }
  }

  private static JsonNode find(JsonNode events, String messageId) {
    for (JsonNode e : events) {
      if (messageId.equals(e.path("message_id").asText())) {
        return e;
      }
    }
    throw new AssertionError("message " + messageId + " was not forwarded: " + events);
  }
}
