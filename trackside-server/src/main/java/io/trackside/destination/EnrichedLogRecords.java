package io.trackside.destination;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The enriched log's record format: the Segment event as stored (context.ip replaced by the
 * stored, truncated address; PII as the pipeline left it) plus a {@code trackside} object with
 * what the pipeline derived and the raw log position it came from. JSON, so an operator can read
 * it and the webhook and Segment destinations can send it nearly as it is.
 */
public final class EnrichedLogRecords {
  static final String TRACKSIDE = "trackside";
  private static final ObjectMapper JSON = new ObjectMapper();

  private EnrichedLogRecords() {
  }

  /** The stable id of an event towards every platform: derived from its source and messageId. */
  public static String eventId(String source, String messageId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest(((source == null ? "" : source) + '\u0000' + messageId).getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(32);
      for (int i = 0; i < 16; i++) {
        hex.append(Character.forDigit((digest[i] >> 4) & 0xf, 16)).append(Character.forDigit(digest[i] & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** Encodes an event the pipeline has finished, read from the raw log at this position. */
  public static byte[] encode(EnrichedEvent e, int rawPartition, long rawOffset) {
    Event ev = e.event();
    ObjectNode root = JSON.createObjectNode();
    root.put("type", ev.type());
    putIfSet(root, "event", ev.event());
    putIfSet(root, "name", ev.name());
    root.put("messageId", ev.messageId());
    putIfSet(root, "userId", ev.userId());
    putIfSet(root, "anonymousId", ev.anonymousId());
    putIfSet(root, "groupId", ev.groupId());
    putIfSet(root, "previousId", ev.previousId());
    putIfSet(root, "timestamp", ev.timestamp());
    putIfSet(root, "originalTimestamp", ev.originalTimestamp());
    putIfSet(root, "sentAt", ev.sentAt());
    putIfSet(root, "receivedAt", ev.receivedAt());
    ObjectNode context = ev.context().deepCopy();
    if (e.ip != null) {
      context.put("ip", e.ip);
    } else {
      context.remove("ip");
    }
    if (e.userAgent != null && !context.has("userAgent")) {
      context.put("userAgent", e.userAgent);
    }
    root.set("context", context);
    root.set("properties", ev.properties());
    root.set("traits", ev.traits());
    root.set("integrations", ev.integrations());

    ObjectNode t = root.putObject(TRACKSIDE);
    t.put("source", ev.source());
    t.put("eventId", eventId(ev.source(), ev.messageId()));
    putIfSet(t, "visitorId", e.visitorId);
    putIfSet(t, "sessionId", e.sessionId);
    t.put("sessionNumber", e.sessionNumber);
    e.consent.forEach(t.putArray("consent")::add);
    t.put("consentKnown", e.consentKnown);
    putIfSet(t, "pageUrl", e.pageUrl);
    putIfSet(t, "pagePath", e.pagePath);
    putIfSet(t, "pageReferrer", e.pageReferrer);
    putIfSet(t, "pageTitle", e.pageTitle);
    putIfSet(t, "ip", e.ip);
    putIfSet(t, "userAgent", e.userAgent);
    ObjectNode clickIds = t.putObject("clickIds");
    e.clickIds.forEach(clickIds::put);
    ObjectNode utm = t.putObject("utm");
    putIfSet(utm, "source", e.utmSource);
    putIfSet(utm, "medium", e.utmMedium);
    putIfSet(utm, "campaign", e.utmCampaign);
    putIfSet(utm, "term", e.utmTerm);
    putIfSet(utm, "content", e.utmContent);
    putIfSet(t, "channel", e.channel);
    putIfSet(t, "country", e.country);
    putIfSet(t, "region", e.region);
    putIfSet(t, "city", e.city);
    putIfSet(t, "deviceClass", e.deviceClass);
    putIfSet(t, "browser", e.browser);
    putIfSet(t, "os", e.os);
    t.put("bot", e.bot);
    t.put("rawPartition", rawPartition);
    t.put("rawOffset", rawOffset);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException impossible) {
      throw new UncheckedIOException(impossible);
    }
  }

  /** The raw log offset an enriched record was derived from (to resume without appending twice). */
  public static long rawOffset(byte[] record) {
    try {
      return JSON.readTree(record).path(TRACKSIDE).path("rawOffset").asLong(-1);
    } catch (IOException e) {
      return -1;
    }
  }

  /** Decodes a record of the enriched log read at this position. */
  public static DeliveryEvent decode(byte[] record, int partition, long offset) {
    ObjectNode root;
    try {
      JsonNode node = JSON.readTree(record);
      if (!(node instanceof ObjectNode object)) {
        throw new IllegalArgumentException("an enriched log record is a JSON object");
      }
      root = object;
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable enriched log record: " + e.getMessage(), e);
    }
    JsonNode t = root.remove(TRACKSIDE);
    if (t == null) {
      t = JSON.createObjectNode();
    }
    Set<String> consent = new TreeSet<>();
    t.path("consent").forEach(p -> consent.add(p.asText()));
    return new DeliveryEvent(
        text(t, "eventId"), text(t, "source"), text(root, "messageId"), text(root, "type"), text(root, "event"),
        text(root, "name"), text(root, "userId"), text(root, "anonymousId"), text(t, "visitorId"),
        text(t, "sessionId"), t.path("sessionNumber").asInt(0),
        instant(root, "timestamp"), instant(root, "receivedAt"),
        root, object(root, "properties"), object(root, "traits"), object(root, "context"),
        Collections.unmodifiableSet(consent), t.path("consentKnown").asBoolean(false),
        text(t, "pageUrl"), text(t, "pageReferrer"), text(t, "pageTitle"), text(t, "pagePath"),
        text(t, "ip"), text(t, "userAgent"), strings(t.path("clickIds")), strings(t.path("utm")),
        text(t, "channel"), text(t, "country"), text(t, "region"), text(t, "city"),
        text(t, "deviceClass"), text(t, "browser"), text(t, "os"), t.path("bot").asBoolean(false),
        partition, offset, record.length);
  }

  private static void putIfSet(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  private static void putIfSet(ObjectNode node, String field, Instant value) {
    if (value != null) {
      node.put(field, value.toString());
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static Instant instant(JsonNode node, String field) {
    String text = text(node, field);
    return text == null ? null : Instant.parse(text);
  }

  private static ObjectNode object(ObjectNode root, String field) {
    JsonNode value = root.get(field);
    if (value instanceof ObjectNode object) {
      return object;
    }
    return root.putObject(field);
  }

  private static Map<String, String> strings(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    node.fields().forEachRemaining(entry -> map.put(entry.getKey(), entry.getValue().asText()));
    return Collections.unmodifiableMap(map);
  }
}
