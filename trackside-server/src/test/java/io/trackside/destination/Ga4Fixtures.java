package io.trackside.destination;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackside.warehouse.LoggedEvent;
import io.trackside.warehouse.TestEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Events as the GA4 destination reads them: Segment JSON run through the standard pipeline
 * (consent, PII hashing, sessions, page fields), written to and read back from the enriched-log
 * record format, as the delivery engine will read them.
 */
final class Ga4Fixtures {

  static final ObjectMapper JSON = new ObjectMapper();
  /** Events are stamped 2024-05-01T10:00:00Z and received five seconds later (TestEvents.RECEIVED_AT). */
  static final Instant EVENT_TIME = Instant.parse("2024-05-01T10:00:00Z");
  static final Instant NOW = Instant.ofEpochMilli(TestEvents.RECEIVED_AT).plusSeconds(5);
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final String MEASUREMENT_ID = "G-TEST123";
  static final String API_SECRET = "sec_xyz";

  private static final AtomicInteger IDS = new AtomicInteger();

  private Ga4Fixtures() {
  }

  /** A config with the required options, these extra option pairs (name, value, ...) and eventNames. */
  static DestinationConfig config(Map<String, String> eventNames, String... options) {
    ObjectNode node = JSON.createObjectNode();
    node.put("measurement-id", MEASUREMENT_ID);
    node.put("api-secret", API_SECRET);
    for (int i = 0; i < options.length; i += 2) {
      node.put(options[i], options[i + 1]);
    }
    return new DestinationConfig("ga4", "ga4", false, null, EventFilter.ALL, eventNames, 0, Duration.ofMillis(50),
        1, Duration.ofSeconds(5), node);
  }

  static Ga4Destination destination(String... options) {
    return new Ga4Destination(config(Map.of(), options), CLOCK);
  }

  static Ga4Destination destination(Map<String, String> eventNames, String... options) {
    return new Ga4Destination(config(eventNames, options), CLOCK);
  }

  /** A fresh anonymousId, so the pipeline's session state of other tests never meets this one's. */
  static String anonymousId() {
    return "anon-ga4-" + IDS.incrementAndGet();
  }

  /** A track event of a fresh visitor on a product page, with these properties (a JSON object). */
  static String track(String event, String properties) {
    return track(event, properties, "{}");
  }

  /** A track event with these properties and these extra context fields (a JSON object merged into context). */
  static String track(String event, String properties, String extraContext) {
    ObjectNode root = JSON.createObjectNode();
    root.put("type", "track");
    root.put("event", event);
    root.put("messageId", "m-" + IDS.incrementAndGet());
    root.put("anonymousId", anonymousId());
    root.put("timestamp", EVENT_TIME.toString());
    root.set("properties", parse(properties));
    ObjectNode context = root.putObject("context");
    context.putObject("page").put("url", "https://shop.example/p/mug").put("title", "Mug")
        .put("referrer", "https://www.google.com/");
    context.setAll((ObjectNode) parse(extraContext));
    return root.toString();
  }

  static DeliveryEvent deliver(String segmentJson) {
    return deliver(segmentJson, record -> { });
  }

  /**
   * The event after the standard pipeline, as decoded from its enriched-log record; {@code change}
   * may edit the record first, to stand for what the test set-up does not have: a geo database
   * (the {@code trackside} object's country), or a PII policy that keeps raw e-mail addresses.
   */
  static DeliveryEvent deliver(String segmentJson, Consumer<ObjectNode> change) {
    LoggedEvent logged = TestEvents.logged(TestEvents.received("web", segmentJson, TestEvents.RECEIVED_AT), 0, 1);
    assertThat(logged.enriched().decided()).as("the pipeline kept the event").isFalse();
    ObjectNode record = (ObjectNode) parse(new String(EnrichedLogRecords.encode(logged.enriched(), 0, 1),
        StandardCharsets.UTF_8));
    change.accept(record);
    return EnrichedLogRecords.decode(record.toString().getBytes(StandardCharsets.UTF_8), 2, 40);
  }

  static Mapped.Send send(Mapped mapped) {
    assertThat(mapped).isInstanceOf(Mapped.Send.class);
    return (Mapped.Send) mapped;
  }

  /** The GA4 event object (name, params) of a payload. */
  static JsonNode event(Mapped mapped) {
    return send(mapped).body();
  }

  static JsonNode params(Mapped mapped) {
    return send(mapped).body().get("params");
  }

  static JsonNode requestFields(Mapped mapped) {
    return send(mapped).body().get(Ga4Destination.REQUEST);
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
