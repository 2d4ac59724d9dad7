package io.trackside.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

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

  /**
   * Segment's clock-skew correction: the client clock may be wrong, but the gap between when it
   * says the event happened and when it says it sent it is right, so anchor that gap on our
   * clock. Without sentAt the client's timestamp stands; without a timestamp, arrival time.
   */
  static Instant correctedTimestamp(Instant originalTimestamp, Instant sentAt, Instant receivedAt) {
    if (originalTimestamp == null) {
      return receivedAt;
    }
    if (sentAt == null) {
      return originalTimestamp;
    }
    return receivedAt.minusMillis(sentAt.toEpochMilli() - originalTimestamp.toEpochMilli());
  }

  // Years 1 to 9999: what ISO-8601 writes without a sign, and what every store downstream holds.
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /**
   * ISO-8601 date-time with "Z" or an offset such as "+02:00", with or without fractions; a
   * date-time without a zone is read as UTC (some mobile libraries send that). Anything else,
   * including a bare date or a year outside 1..9999, is treated as absent rather than failing
   * the event.
   */
  static Instant parseTimestamp(JsonNode node) {
    Instant instant = parseIso(node);
    return instant == null || instant.isBefore(EARLIEST) || instant.isAfter(LATEST) ? null : instant;
  }

  private static Instant parseIso(JsonNode node) {
    if (node == null || !node.isTextual()) {
      return null;
    }
    String text = node.textValue();
    if (text.isEmpty() || text.length() > 64) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notWithOffset) {
      try {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException notLocal) {
        return null;
      }
    }
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
