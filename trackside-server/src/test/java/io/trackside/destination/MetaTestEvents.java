package io.trackside.destination;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import io.trackside.core.ReceivedEvent;
import io.trackside.core.SegmentEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * DeliveryEvents as the delivery engine reads them: a Segment event decoded like the collector's,
 * the pipeline's fields set on its EnrichedEvent, written to and read back from the enriched
 * log's record format.
 */
final class MetaTestEvents {

  static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final String PIXEL = "1234567890";
  static final String TOKEN = "EAAB-test-token/+=";
  static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
      + " Chrome/131.0.0.0 Safari/537.36";
  static final String FBCLID = "IwAR2F4-dbP0l7Mn1IhRlyhz_YlY2pxhwXAm1OT1QDJ6lT6h";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static long offset;

  private MetaTestEvents() {
  }

  static Builder track(String name) {
    return new Builder("track").put("event", name);
  }

  static Builder page() {
    return new Builder("page");
  }

  static Builder ofType(String type) {
    return new Builder(type);
  }

  /** A Meta destination entry with these options (JSON object text) and event names. */
  static DestinationConfig config(String optionsJson, Map<String, String> eventNames) {
    ObjectNode options = (ObjectNode) parse(optionsJson);
    return new DestinationConfig("meta", "meta", false, null, EventFilter.ALL, eventNames, 0, null, 1, null, options);
  }

  static DestinationConfig config(String baseUrl) {
    return config("{\"pixel-id\":\"" + PIXEL + "\",\"access-token\":\"" + TOKEN + "\",\"base-url\":\"" + baseUrl
        + "\"}", Map.of());
  }

  static MetaDestination destination() {
    return new MetaDestination(config("https://graph.facebook.com"), CLOCK);
  }

  static com.fasterxml.jackson.databind.JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final class Builder {
    private final ObjectNode root = JsonNodeFactory.instance.objectNode();
    private Instant receivedAt = NOW.minusSeconds(60);
    private String ip = "203.0.113.7";
    private String userAgent = CHROME;
    private String pageUrl = "https://shop.example/products/sku-1";
    private String pageReferrer;
    private boolean bot;
    private final Map<String, String> clickIds = new LinkedHashMap<>();

    private Builder(String type) {
      root.put("type", type);
      root.put("messageId", UUID.randomUUID().toString());
      root.put("anonymousId", "anon-1");
      root.put("timestamp", receivedAt.minusMillis(500).toString());
    }

    Builder put(String field, String value) {
      root.put(field, value);
      return this;
    }

    Builder messageId(String id) {
      return put("messageId", id);
    }

    Builder userId(String id) {
      return put("userId", id);
    }

    /** When it happened; received a second later. */
    Builder at(Instant timestamp) {
      root.put("timestamp", timestamp.toString());
      receivedAt = timestamp.plusSeconds(1);
      return this;
    }

    /** A client timestamp as sent, with the server's arrival time set apart from it. */
    Builder at(Instant timestamp, Instant received) {
      root.put("timestamp", timestamp.toString());
      receivedAt = received;
      return this;
    }

    Builder properties(String json) {
      root.set("properties", parse(json));
      return this;
    }

    Builder traits(String json) {
      root.set("traits", parse(json));
      return this;
    }

    Builder context(String json) {
      root.set("context", parse(json));
      return this;
    }

    Builder ip(String address) {
      ip = address;
      return this;
    }

    Builder userAgent(String ua) {
      userAgent = ua;
      return this;
    }

    Builder pageUrl(String url) {
      pageUrl = url;
      return this;
    }

    Builder referrer(String url) {
      pageReferrer = url;
      return this;
    }

    Builder fbclid(String value) {
      clickIds.put("fbclid", value);
      return this;
    }

    Builder bot() {
      bot = true;
      return this;
    }

    DeliveryEvent build() {
      byte[] json;
      try {
        json = JSON.writeValueAsBytes(root);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Event event = SegmentEvents.decode(new ReceivedEvent(receivedAt.toEpochMilli(), "web", ip, userAgent,
          null, null, json));
      EnrichedEvent enriched = new EnrichedEvent(event);
      enriched.ip = ip;
      enriched.userAgent = userAgent;
      enriched.pageUrl = pageUrl;
      enriched.pageReferrer = pageReferrer;
      enriched.clickIds.putAll(clickIds);
      enriched.bot = bot;
      enriched.visitorId = event.visitorKey();
      enriched.consent.addAll(Set.of("advertising", "analytics"));
      enriched.consentKnown = true;
      long at = ++offset;
      return EnrichedLogRecords.decode(EnrichedLogRecords.encode(enriched, 0, at), 0, at);
    }
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
