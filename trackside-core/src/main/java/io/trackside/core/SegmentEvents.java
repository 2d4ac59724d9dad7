package io.trackside.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;

/**
 * Decodes what the collector stored ({@link ReceivedEvent}) into the canonical {@link Event},
 * following the Segment spec's common fields. Decoding is lenient about what the spec leaves to
 * clients (ids sent as numbers, missing objects, unparseable timestamps) because a sink must not
 * lose an event over a detail; it only refuses bytes that are not a JSON object at all.
 */
public final class SegmentEvents {

  // One shared mapper: ObjectMapper is thread-safe once configured and expensive to create.
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private SegmentEvents() {
  }

  /**
   * @throws IllegalArgumentException when the JSON cannot be parsed or is not an object; callers
   *                                  quarantine such events
   */
  public static Event decode(ReceivedEvent received) {
    JsonNode root;
    try {
      root = JSON.readTree(received.json());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("event is not a JSON object");
    }
    Instant receivedAt = Instant.ofEpochMilli(received.receivedAtMillis());
    Instant originalTimestamp = parseTimestamp(root.get("timestamp"));
    Instant sentAt = parseTimestamp(root.get("sentAt"));
    return new Event(
        received.source(),
        text(root.get("messageId")),
        text(root.get("type")),
        text(root.get("event")),
        text(root.get("name")),
        text(root.get("userId")),
        text(root.get("anonymousId")),
        text(root.get("groupId")),
        text(root.get("previousId")),
        correctedTimestamp(originalTimestamp, sentAt, receivedAt),
        originalTimestamp,
        sentAt,
        receivedAt,
        received.clientIp(),
        received.userAgent(),
        object(root.get("context")),
        object(root.get("properties")),
        object(root.get("traits")),
        object(root.get("integrations")));
  }

  static Instant correctedTimestamp(Instant originalTimestamp, Instant sentAt, Instant receivedAt) {
    return Timestamps.corrected(originalTimestamp, sentAt, receivedAt);
  }

  /** A timestamp field, or null when it is absent or not a timestamp (the event still counts). */
  static Instant parseTimestamp(JsonNode node) {
    return node == null || !node.isTextual() ? null : Timestamps.parse(node.textValue());
  }

  /** Strings as sent; numbers (some clients send numeric user ids) as their decimal text. */
  private static String text(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isNumber()) {
      return node.asText();
    }
    return null;
  }

  private static ObjectNode object(JsonNode node) {
    return node instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
  }
}
