package io.trackside.destination;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Meta Conversions API (protocols.md §4): website events for one pixel, posted as
 * {@code {"data":[…]}} to {@code {base}/{version}/{pixel}/events?access_token=…}.
 *
 * <p>What is sent: page calls as PageView, the Segment e-commerce spec's track events as Meta's
 * standard events ({@link MetaEventNames}), and the track events the operator maps in
 * {@code eventNames}. Each event carries its user_data ({@link MetaUserData}), custom_data
 * ({@link MetaCustomData}) and an event_id that lets Meta drop the browser pixel's copy of the
 * same event. Events Meta would refuse are rejected here, one by one, because Meta refuses the
 * whole request for a single bad event.
 */
final class MetaDestination implements Destination {

  /** Meta refuses an event_time more than 7 days before sending, and the whole request with it. */
  static final Duration MAX_AGE = Duration.ofDays(7);
  static final int MAX_EVENTS = 1_000;
  /**
   * Meta documents no byte limit for the request; 1,000 events of ~1 kB are about 1 MB. 4 MB
   * leaves room for long product lists while keeping one request's upload (and the work lost
   * when Meta refuses a batch for one bad event) moderate.
   */
  static final int MAX_BYTES = 4 * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> CONSENT = Set.of("advertising");

  private final MetaSettings settings;
  private final MetaEventNames names;
  private final Clock clock;

  MetaDestination(DestinationConfig config) {
    this(config, Clock.systemUTC());
  }

  /** @param clock for the age limit; tests move it */
  MetaDestination(DestinationConfig config, Clock clock) {
    this.settings = MetaSettings.of(config);
    this.names = new MetaEventNames(config.eventNames());
    this.clock = clock;
  }

  @Override
  public String type() {
    return "meta";
  }

  /** Meta uses the events for ad targeting and measurement: an advertising purpose. */
  @Override
  public Set<String> requiredConsent() {
    return CONSENT;
  }

  @Override
  public DestinationLimits limits() {
    return new DestinationLimits(MAX_EVENTS, MAX_BYTES, MAX_AGE);
  }

  MetaSettings settings() {
    return settings;
  }

  @Override
  public Mapped map(DeliveryEvent e) {
    if (e.bot()) {
      return new Mapped.Skip("bot"); // bot traffic in a pixel dataset skews Meta's optimisation
    }
    String eventName = eventName(e);
    if (eventName == null) {
      return new Mapped.Skip("not_mapped_for_meta");
    }
    Instant at = eventTime(e);
    if (at == null) {
      return new Mapped.Reject("no_event_time");
    }
    Instant oldest = clock.instant().minus(MAX_AGE);
    if (at.isBefore(oldest)) {
      return new Mapped.Reject("too_old_for_meta: event_time " + at + " is more than 7 days ago;"
          + " Meta refuses it (and the whole request with it)");
    }
    if (e.userAgent() == null || e.userAgent().isBlank()) {
      return new Mapped.Reject("no_client_user_agent: Meta requires the browser's User-Agent for website events");
    }
    if (e.pageUrl() == null || e.pageUrl().isBlank()) {
      return new Mapped.Reject("no_event_source_url: Meta requires the page URL for website events");
    }
    ObjectNode user = MetaUserData.of(e);
    if (!MetaUserData.matchable(user)) {
      return new Mapped.Reject("no_user_data: no customer information Meta can match (e-mail, phone, userId,"
          + " fbc, fbp, or IP address with User-Agent)");
    }
    MetaCustomData.Result custom = MetaCustomData.of(e, settings.defaultCurrency());
    if (eventName.equals("Purchase") && custom.value() == null) {
      return new Mapped.Reject("purchase_without_value: Meta requires value and currency for Purchase"
          + " (properties.value/revenue/total or product prices, and properties.currency)");
    }

    ObjectNode body = JSON.createObjectNode();
    body.put("event_name", eventName);
    body.put("event_time", at.getEpochSecond());
    body.put("event_id", dedupeId(e));
    body.put("action_source", "website");
    body.put("event_source_url", e.pageUrl());
    if (e.pageReferrer() != null && !e.pageReferrer().isBlank()) {
      body.put("referrer_url", e.pageReferrer());
    }
    body.put("opt_out", false);
    body.set("user_data", user);
    if (!custom.body().isEmpty()) {
      body.set("custom_data", custom.body());
    }
    return new Mapped.Send(e.eventId(), null, body, size(body) + 1); // + 1: the comma between events
  }

  @Override
  public OutgoingRequest request(List<Mapped.Send> payloads) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode data = root.putArray("data");
    payloads.forEach(payload -> data.add(payload.body()));
    if (settings.testEventCode() != null) {
      root.put("test_event_code", settings.testEventCode());
    }
    try {
      return OutgoingRequest.postJson(settings.eventsUri(), JSON.writeValueAsBytes(root));
    } catch (JsonProcessingException impossible) {
      throw new UncheckedIOException(impossible);
    }
  }

  /**
   * 2xx: delivered (the answer's events_received is not checked: Meta accepts all or nothing).
   * Otherwise {@link MetaError#verdict()}; an answer that is not Meta's error JSON (a proxy's
   * 413 page, say) is a rejection, so the engine splits the batch.
   */
  @Override
  public Verdict verdict(int status, String body) {
    if (status >= 200 && status < 300) {
      return Verdict.DELIVERED;
    }
    MetaError error = MetaError.parse(status, body);
    if (error != null) {
      return error.verdict();
    }
    String text = body == null ? "" : body.strip();
    return new Verdict.Rejected("meta_rejected: " + status + " "
        + (text.length() > 200 ? text.substring(0, 200) + "…" : text));
  }

  private String eventName(DeliveryEvent e) {
    if ("page".equals(e.type())) {
      return "PageView";
    }
    return "track".equals(e.type()) ? names.of(e.event()) : null;
  }

  /**
   * When it happened, but never after the collector received it: a client clock ahead of time
   * without sentAt to correct it would otherwise date the event in the future. Depends only on
   * the event, so a retry sends the same event_time.
   */
  static Instant eventTime(DeliveryEvent e) {
    Instant at = e.timestamp() != null ? e.timestamp() : e.receivedAt();
    if (at != null && e.receivedAt() != null && at.isAfter(e.receivedAt())) {
      return e.receivedAt();
    }
    return at;
  }

  /**
   * The id Meta deduplicates the browser pixel's copy against: the one the site gave the pixel
   * (fbq('track', name, data, {eventID})) and passed along as properties.event_id / eventId or
   * context.event_id / eventId; else the event's own stable id, which matches nothing in the browser but makes
   * Meta count an event sent twice within its 48-hour window (a retry, a replay) once.
   */
  static String dedupeId(DeliveryEvent e) {
    for (JsonNode node : List.of(e.properties().path("event_id"), e.properties().path("eventId"),
        e.context().path("event_id"), e.context().path("eventId"))) {
      if ((node.isTextual() || node.isIntegralNumber()) && !node.asText().isBlank()) {
        return node.asText().strip();
      }
    }
    return e.eventId();
  }

  private static int size(JsonNode body) {
    try {
      return JSON.writeValueAsBytes(body).length;
    } catch (JsonProcessingException impossible) {
      throw new UncheckedIOException(impossible);
    }
  }
}
