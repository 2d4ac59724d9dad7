package io.trackside.destination;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackside.core.UserDataHashing;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Google Analytics 4 through the Measurement Protocol (protocols.md §2): page, screen and track
 * events as GA4 events, Segment's e-commerce spec as GA4's recommended events.
 *
 * <p>A payload's body is one GA4 event object ({@code name}, {@code params},
 * {@code timestamp_micros}) plus, under {@value #REQUEST}, the request-level fields it needs
 * (client_id, user_id, user_properties, consent, user_data, user_location, device); the batch
 * key covers all of them, so {@link #request} takes them from the first payload and strips the
 * key from every event.
 *
 * <p>The live endpoint answers 2xx even for events it drops, so every event is checked with
 * {@link Ga4Validation} when it is mapped: what GA4 would drop is rejected (dead-lettered with
 * the rule) instead of being counted as delivered.
 */
public final class Ga4Destination implements Destination {

  /** The body field holding the request-level fields; never sent. */
  static final String REQUEST = "_request";
  static final DestinationLimits LIMITS =
      new DestinationLimits(Ga4Validation.MAX_EVENTS, Ga4Validation.MAX_BODY_BYTES, Ga4Validation.MAX_BACKDATING);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Page properties the page_* parameters already carry. */
  private static final Set<String> PAGE_PROPERTIES = Set.of("url", "path", "referrer", "search", "title", "name");

  private final Ga4Options options;
  private final Clock clock;
  /** The same for every request: built once. */
  private final URI collectUri;

  public Ga4Destination(DestinationConfig config) {
    this(config, Clock.systemUTC());
  }

  Ga4Destination(DestinationConfig config, Clock clock) {
    this.options = Ga4Options.from(config);
    this.clock = clock;
    String path = options.validate() ? "/debug/mp/collect" : "/mp/collect";
    this.collectUri = URI.create(options.baseUrl() + path + "?measurement_id=" + encode(options.measurementId())
        + "&api_secret=" + encode(options.apiSecret()));
  }

  @Override
  public String type() {
    return "ga4";
  }

  @Override
  public Set<String> requiredConsent() {
    return Set.of("analytics");
  }

  @Override
  public DestinationLimits limits() {
    return LIMITS;
  }

  @Override
  public Mapped map(DeliveryEvent e) {
    String name = switch (e.type() == null ? "" : e.type()) {
      case "page" -> "page_view";
      case "screen" -> "screen_view";
      case "track" -> eventName(e);
      default -> null;
    };
    if (!"track".equals(e.type()) && name == null) {
      return new Mapped.Skip("not_a_ga4_event");
    }
    if (name == null) {
      return new Mapped.Reject("no_ga4_event_name: '" + e.event() + "' has no letter or digit GA4 accepts;"
          + " give it a GA4 name under the destination's events setting");
    }
    Instant now = clock.instant();
    Instant at = e.timestamp() != null ? e.timestamp() : e.receivedAt();
    if (at != null && Duration.between(at, now).compareTo(LIMITS.maxAge()) > 0) {
      return new Mapped.Reject("too_old_for_ga4: " + Duration.between(at, now).toHours() + " h old, GA4 takes events"
          + " at most " + LIMITS.maxAge().toHours() + " h old");
    }
    ObjectNode request = requestFields(e);
    if (request == null) {
      return new Mapped.Reject("no_client_id: the event has no GA client id, visitor, anonymousId or userId");
    }
    ObjectNode event = NODES.objectNode();
    event.put("name", name);
    event.set("params", params(name, e));
    if (at != null && !at.isAfter(now)) {
      // A future time (a client clock ahead) is left out: GA4 then uses the time of arrival.
      event.put("timestamp_micros", at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000);
    }
    ObjectNode alone = request.deepCopy();
    alone.putArray("events").add(event);
    List<Ga4Validation.Message> problems = Ga4Validation.validate(alone, now);
    if (!problems.isEmpty()) {
      return new Mapped.Reject("ga4_invalid: " + problems.stream().map(Ga4Validation.Message::toString)
          .collect(Collectors.joining("; ")));
    }
    String requestJson = json(request);
    // The request-level fields counted with every event: a little more than the request will
    // be, never less, so a batch within the engine's byte limit is within GA4's.
    int bytes = utf8Length(json(event)) + 1 + utf8Length(requestJson);
    event.set(REQUEST, request);
    return new Mapped.Send(e.eventId(), batchKey(request.path("client_id").asText(), requestJson), event, bytes);
  }

  /** The operator's name for it, else the GA4 recommended event, else the name in snake_case. */
  private String eventName(DeliveryEvent e) {
    String configured = e.event() == null ? null : options.eventNames().get(e.event());
    if (configured != null) {
      return configured;
    }
    String spec = Ga4Ecommerce.specName(e);
    return spec != null ? spec : Ga4Names.eventName(e.event());
  }

  /**
   * Session and engagement first (realtime needs them, so the parameter limit never drops them),
   * and the event id, then the page, then the event's own parameters, then the remaining
   * properties.
   */
  private ObjectNode params(String name, DeliveryEvent e) {
    ObjectNode params = NODES.objectNode();
    String session = Ga4Identity.sessionId(e);
    if (session != null) {
      params.put("session_id", session);
    }
    params.put("engagement_time_msec", Ga4Identity.engagementTimeMsec(e));
    if (e.eventId() != null) {
      // GA4 does not deduplicate, but with the id in the BigQuery export a repeat can be found and dropped.
      params.put("event_id", e.eventId());
    }
    putPage(params, "page_location", e.pageUrl());
    putPage(params, "page_referrer", e.pageReferrer());
    String title = e.pageTitle();
    if (title == null && "page".equals(e.type())) {
      title = e.property("title") != null ? e.property("title") : e.name();
    }
    putPage(params, "page_title", title);
    Set<String> used = new HashSet<>(Set.of("engagement_time_msec"));
    switch (name) {
      case "page_view" -> used.addAll(PAGE_PROPERTIES);
      case "screen_view" -> {
        String screen = e.name() != null ? e.name() : e.property("name");
        if (screen != null) {
          params.put("screen_name", Ga4Params.truncate(screen, Ga4Validation.MAX_PARAM_VALUE));
        }
        used.add("name");
      }
      default -> used.addAll(Ga4Ecommerce.put(name, e, params, options.currency()));
    }
    Ga4Params.putCustom(params, e.properties(), used);
    return params;
  }

  private static void putPage(ObjectNode params, String param, String value) {
    if (value != null && !value.isBlank()) {
      params.put(param, Ga4Params.truncate(value, Ga4Params.maxLength(param)));
    }
  }

  /** The request-level fields, in a fixed order (the batch key hashes them); null without a client id. */
  private ObjectNode requestFields(DeliveryEvent e) {
    String clientId = Ga4Identity.clientId(e, options.measurementId());
    if (clientId == null) {
      return null;
    }
    ObjectNode request = NODES.objectNode();
    request.put("client_id", clientId);
    if (e.userId() != null && !e.userId().isBlank()) {
      request.put("user_id", e.userId());
    }
    if (options.userProperties()) {
      setIfPresent(request, "user_properties", Ga4User.userProperties(e));
    }
    setIfPresent(request, "consent", Ga4User.consent(e));
    if (options.userData()) {
      setIfPresent(request, "user_data", Ga4User.userData(e));
    }
    setIfPresent(request, "user_location", Ga4Client.location(e));
    setIfPresent(request, "device", Ga4Client.device(e));
    return request;
  }

  private static void setIfPresent(ObjectNode node, String field, JsonNode value) {
    if (value != null) {
      node.set(field, value);
    }
  }

  /**
   * {@code <client_id>|<32 hex digits of the SHA-256 of the request-level fields>}: events share a
   * request only when every request-level field is the same, not just the client.
   */
  static String batchKey(String clientId, String requestJson) {
    return clientId + "|" + UserDataHashing.sha256Hex(requestJson).substring(0, 32);
  }

  @Override
  public OutgoingRequest request(List<Mapped.Send> payloads) {
    if (payloads.isEmpty()) {
      throw new IllegalArgumentException("a GA4 request needs at least one event");
    }
    JsonNode shared = payloads.get(0).body().get(REQUEST);
    // A shallow copy: the request-level fields are only read, never changed, so they need no copy of their own.
    ObjectNode body = NODES.objectNode();
    body.setAll((ObjectNode) shared);
    if (options.validate()) {
      body.put("validation_behavior", "ENFORCE_RECOMMENDATIONS");
    }
    var events = body.putArray("events");
    for (Mapped.Send payload : payloads) {
      if (!shared.equals(payload.body().get(REQUEST))) {
        throw new IllegalArgumentException("GA4 events of one request must have the same batch key: "
            + payloads.get(0).batchKey() + " vs " + payload.batchKey());
      }
      ObjectNode event = NODES.objectNode();
      payload.body().properties().forEach(field -> {
        if (!field.getKey().equals(REQUEST)) {
          event.set(field.getKey(), field.getValue());
        }
      });
      events.add(event);
    }
    return OutgoingRequest.postJson(collectUri, jsonBytes(body));
  }

  @Override
  public Verdict verdict(int status, String body) {
    if (status >= 200 && status < 300) {
      return options.validate() ? validationVerdict(body) : Verdict.DELIVERED;
    }
    if (status == 408 || status == 429 || status >= 500) {
      return new Verdict.Retry("ga4 answered " + status);
    }
    return new Verdict.Rejected("ga4 answered " + status + ": " + excerpt(body));
  }

  /** The debug endpoint answers 200 with its findings: any finding means the live endpoint would drop the events. */
  private static Verdict validationVerdict(String body) {
    JsonNode answer;
    try {
      answer = JSON.readTree(body == null ? "" : body);
    } catch (JsonProcessingException e) {
      answer = null;
    }
    if (answer == null || !answer.path("validationMessages").isArray()) {
      return new Verdict.Rejected("ga4_validation_unreadable: " + excerpt(body));
    }
    if (answer.path("validationMessages").isEmpty()) {
      return Verdict.DELIVERED;
    }
    StringBuilder reason = new StringBuilder("ga4_validation:");
    for (JsonNode message : answer.path("validationMessages")) {
      reason.append(' ').append(message.path("validationCode").asText("?"))
          .append(' ').append(message.path("fieldPath").asText(""))
          .append(": ").append(message.path("description").asText("")).append(';');
    }
    reason.setLength(reason.length() - 1);
    return new Verdict.Rejected(reason.toString());
  }

  private static String excerpt(String body) {
    if (body == null || body.isBlank()) {
      return "(empty body)";
    }
    String flat = body.strip().replaceAll("\\s+", " ");
    return flat.length() <= 200 ? flat : flat.substring(0, 200) + "…";
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  private static byte[] jsonBytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException impossible) {
      throw new UncheckedIOException(impossible);
    }
  }

  private static String json(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException impossible) {
      throw new UncheckedIOException(impossible);
    }
  }

  @Override
  public String toString() {
    return "Ga4Destination" + options;
  }
}
