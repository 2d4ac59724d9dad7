package io.trackside.destination;

import static io.trackside.destination.Ga4Fixtures.CLOCK;
import static io.trackside.destination.Ga4Fixtures.EVENT_TIME;
import static io.trackside.destination.Ga4Fixtures.JSON;
import static io.trackside.destination.Ga4Fixtures.anonymousId;
import static io.trackside.destination.Ga4Fixtures.config;
import static io.trackside.destination.Ga4Fixtures.deliver;
import static io.trackside.destination.Ga4Fixtures.destination;
import static io.trackside.destination.Ga4Fixtures.event;
import static io.trackside.destination.Ga4Fixtures.params;
import static io.trackside.destination.Ga4Fixtures.requestFields;
import static io.trackside.destination.Ga4Fixtures.send;
import static io.trackside.destination.Ga4Fixtures.track;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Ga4MappingTest {

  @Test
  void whatTheEngineAsksOfThePlatform() {
    Ga4Destination ga4 = destination();
    assertThat(ga4.type()).isEqualTo("ga4");
    assertThat(ga4.requiredConsent()).isEqualTo(Set.of("analytics"));
    assertThat(ga4.limits()).isEqualTo(new DestinationLimits(25, 130_000, Duration.ofHours(72)));
  }

  @Test
  void aPageCallIsPageViewWithThePipelinesPageFields() {
    String page = "{\"type\":\"page\",\"name\":\"Mug\",\"messageId\":\"pv-1\",\"anonymousId\":\"" + anonymousId() + "\","
        + "\"timestamp\":\"2024-05-01T10:00:00Z\",\"properties\":{\"url\":\"https://shop.example/p/mug\","
        + "\"path\":\"/p/mug\",\"title\":\"Blue mug | Shop\",\"referrer\":\"https://www.bing.com/\","
        + "\"plan_shown\":\"pro\"},\"context\":{\"page\":{\"url\":\"https://shop.example/p/mug\","
        + "\"title\":\"Blue mug | Shop\",\"referrer\":\"https://www.bing.com/\"}}}";
    Mapped mapped = destination().map(deliver(page));
    JsonNode params = params(mapped);
    assertThat(event(mapped).get("name").asText()).isEqualTo("page_view");
    assertThat(params.get("page_location").asText()).isEqualTo("https://shop.example/p/mug");
    assertThat(params.get("page_referrer").asText()).isEqualTo("https://www.bing.com/");
    assertThat(params.get("page_title").asText()).isEqualTo("Blue mug | Shop");
    assertThat(params.get("plan_shown").asText()).isEqualTo("pro");
    assertThat(params.has("url")).isFalse();
    assertThat(params.has("path")).isFalse();
    assertThat(params.has("title")).isFalse();
  }

  @Test
  void longUrlsKeepGa4sLongerPageLimits() {
    String url = "https://shop.example/search?q=" + "m".repeat(1200);
    Mapped mapped = destination().map(deliver(track("Searched Again", "{}",
        "{\"page\":{\"url\":\"" + url + "\",\"title\":\"" + "t".repeat(400) + "\"}}")));
    assertThat(params(mapped).get("page_location").asText()).hasSize(1000).startsWith("https://shop.example/search?q=m");
    assertThat(params(mapped).get("page_title").asText()).hasSize(300);
  }

  @Test
  void aScreenCallIsScreenView() {
    String screen = "{\"type\":\"screen\",\"name\":\"Settings\",\"messageId\":\"sv-1\",\"anonymousId\":\""
        + anonymousId() + "\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"properties\":{\"tab\":\"privacy\"}}";
    Mapped mapped = destination().map(deliver(screen));
    assertThat(event(mapped).get("name").asText()).isEqualTo("screen_view");
    assertThat(params(mapped).get("screen_name").asText()).isEqualTo("Settings");
    assertThat(params(mapped).get("tab").asText()).isEqualTo("privacy");
  }

  @Test
  void identifyGroupAndAliasAreNotGa4Events() {
    String id = anonymousId();
    for (String call : new String[] {
        "{\"type\":\"identify\",\"messageId\":\"i\",\"anonymousId\":\"" + id + "\",\"userId\":\"u\",\"traits\":{\"plan\":\"pro\"}}",
        "{\"type\":\"group\",\"messageId\":\"g\",\"anonymousId\":\"" + id + "\",\"groupId\":\"acme\"}",
        "{\"type\":\"alias\",\"messageId\":\"a\",\"anonymousId\":\"" + id + "\",\"userId\":\"u\",\"previousId\":\"" + id + "\"}"}) {
      assertThat(destination().map(deliver(call))).isEqualTo(new Mapped.Skip("not_a_ga4_event"));
    }
  }

  @Test
  void otherTrackEventsKeepTheirNameInSnakeCase() {
    assertThat(event(destination().map(deliver(track("Video Played", "{}")))).get("name").asText())
        .isEqualTo("video_played");
    assertThat(event(destination().map(deliver(track("session_start", "{}")))).get("name").asText())
        .isEqualTo("ts_session_start");
    Mapped unnamed = destination().map(deliver(track("注文", "{}")));
    assertThat(unnamed).isInstanceOf(Mapped.Reject.class);
    assertThat(((Mapped.Reject) unnamed).reason()).startsWith("no_ga4_event_name");
    // The operator can name it.
    assertThat(event(destination(Map.of("注文", "order")).map(deliver(track("注文", "{}")))).get("name").asText())
        .isEqualTo("order");
  }

  @Test
  void propertiesBecomeParametersWithinGa4sRules() {
    Mapped mapped = destination().map(deliver(track("Video Played", "{\"videoTitle\":\"" + "x".repeat(150) + "\","
        + "\"duration\":12.5,\"isLive\":true,\"chapters\":[1,2],\"player\":{\"name\":\"yt\"},\"google_thing\":\"a\","
        + "\"session_id\":\"mine\",\"empty\":\"\",\"nothing\":null,\"video_title\":\"duplicate after sanitising\"}")));
    JsonNode params = params(mapped);
    assertThat(params.get("video_title").asText()).isEqualTo("x".repeat(100));
    assertThat(params.get("duration").asDouble()).isEqualTo(12.5);
    assertThat(params.get("is_live").asText()).isEqualTo("true");
    assertThat(params.get("ts_google_thing").asText()).isEqualTo("a");
    assertThat(params.get("session_id").asText()).matches("\\d+"); // the mapping's, not the property
    assertThat(params.has("chapters")).isFalse();
    assertThat(params.has("player")).isFalse();
    assertThat(params.has("empty")).isFalse();
    assertThat(params.has("nothing")).isFalse();
  }

  @Test
  void atMost25ParametersAndTheSessionOnesAreNeverDropped() {
    StringBuilder properties = new StringBuilder("{");
    for (int i = 0; i < 40; i++) {
      properties.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":").append(i);
    }
    Mapped mapped = destination().map(deliver(track("Many Things", properties.append('}').toString())));
    JsonNode params = params(mapped);
    assertThat(params.size()).isEqualTo(25);
    assertThat(params.has("session_id")).isTrue();
    assertThat(params.has("engagement_time_msec")).isTrue();
    assertThat(params.has("page_location")).isTrue();
    assertThat(params.has("p0")).isTrue();

    Mapped purchase = destination().map(deliver(track("Order Completed", properties.toString()
        .replace("}", ",\"order_id\":\"o-1\",\"revenue\":5,\"currency\":\"EUR\",\"products\":[{\"sku\":\"s\"}]}"))));
    assertThat(params(purchase).size()).isEqualTo(25);
    assertThat(params(purchase).get("transaction_id").asText()).isEqualTo("o-1");
    assertThat(params(purchase).has("items")).isTrue();
    assertThat(params(purchase).has("value")).isTrue();
  }

  @Test
  void eventsOlderThan72HoursAreRejected() {
    DeliveryEvent e = deliver(track("Late", "{}"));
    Clock later = Clock.fixed(EVENT_TIME.plus(Duration.ofHours(73)), ZoneOffset.UTC);
    Mapped old = new Ga4Destination(config(Map.of()), later).map(e);
    assertThat(old).isEqualTo(new Mapped.Reject("too_old_for_ga4: 73 h old, GA4 takes events at most 72 h old"));

    Clock stillInTime = Clock.fixed(EVENT_TIME.plus(Duration.ofHours(71)), ZoneOffset.UTC);
    Mapped ok = new Ga4Destination(config(Map.of()), stillInTime).map(e);
    assertThat(event(ok).get("timestamp_micros").asLong()).isEqualTo(EVENT_TIME.toEpochMilli() * 1000);
  }

  @Test
  void aTimestampInTheFutureIsLeftToGa4() {
    DeliveryEvent e = deliver(track("Early", "{}"));
    Clock before = Clock.fixed(EVENT_TIME.minusSeconds(60), ZoneOffset.UTC);
    assertThat(event(new Ga4Destination(config(Map.of()), before).map(e)).has("timestamp_micros")).isFalse();
  }

  @Test
  void theBodyIsOneEventAndTheRequestFieldsAndTheSizeCountsBoth() throws Exception {
    DeliveryEvent e = deliver(track("Video Played", "{\"duration\":3}"));
    Mapped.Send send = send(destination().map(e));
    assertThat(send.eventId()).isEqualTo(e.eventId()).isNotBlank();
    assertThat(send.body().get("params").get("event_id").asText()).isEqualTo(e.eventId());
    assertThat(send.body().properties()).extracting(Map.Entry::getKey)
        .containsExactly("name", "params", "timestamp_micros", Ga4Destination.REQUEST);
    JsonNode request = requestFields(send);
    assertThat(request.get("client_id").asText()).matches("\\d{10}\\.\\d{10}");
    ObjectNode eventOnly = send.body().deepCopy();
    eventOnly.remove(Ga4Destination.REQUEST);
    int expected = JSON.writeValueAsBytes(eventOnly).length + 1 + JSON.writeValueAsBytes(request).length;
    assertThat(send.bytes()).isEqualTo(expected);
    assertThat(send.batchKey()).startsWith(request.get("client_id").asText() + "|").hasSize(21 + 1 + 32);
  }

  @Test
  void mappingTheSameEventAgainGivesTheSamePayload() {
    DeliveryEvent e = deliver(track("Order Completed", "{\"order_id\":\"o\",\"products\":[{\"sku\":\"s\",\"price\":1}]}"));
    Ga4Destination ga4 = destination();
    assertThat(ga4.map(e)).isEqualTo(ga4.map(e));
    assertThat(destination().map(e)).isEqualTo(ga4.map(e));
  }

  @Test
  void configMistakesFailAtStart() {
    assertThatThrownBy(() -> destination("measurement-id", "UA-1234-1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("G-");
    assertThatThrownBy(() -> destination("api-secret", ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("api-secret");
    assertThatThrownBy(() -> destination(Map.of("Signup", "Sign Up!")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Sign Up!");
    assertThatThrownBy(() -> destination(Map.of("Start", "session_start")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserves");
    assertThatThrownBy(() -> destination("validate", "maybe")).hasMessageContaining("validate");
    assertThatThrownBy(() -> destination("currency", "euro")).hasMessageContaining("currency");
    assertThat(destination("api-secret", "s3cr3t-value").toString()).doesNotContain("s3cr3t-value");
  }

  @Test
  void theRequestUsesTheLiveOrTheDebugPath() {
    Mapped.Send send = send(destination().map(deliver(track("Video Played", "{}"))));
    OutgoingRequest live = destination().request(java.util.List.of(send));
    assertThat(live.method()).isEqualTo("POST");
    assertThat(live.uri().toString())
        .isEqualTo("https://www.google-analytics.com/mp/collect?measurement_id=G-TEST123&api_secret=sec_xyz");
    assertThat(live.headers()).containsEntry("Content-Type", "application/json");
    assertThat(new String(live.body(), StandardCharsets.UTF_8)).doesNotContain(Ga4Destination.REQUEST)
        .doesNotContain("validation_behavior");

    OutgoingRequest debug = destination("validate", "true", "base-url", "https://region1.google-analytics.com/",
        "api-secret", "a b&c").request(java.util.List.of(send));
    assertThat(debug.uri().toString()).isEqualTo(
        "https://region1.google-analytics.com/debug/mp/collect?measurement_id=G-TEST123&api_secret=a+b%26c");
    assertThat(new String(debug.body(), StandardCharsets.UTF_8)).contains("\"validation_behavior\":\"ENFORCE_RECOMMENDATIONS\"");
  }

  @Test
  void verdicts() {
    Ga4Destination live = destination();
    assertThat(live.verdict(204, "")).isEqualTo(Verdict.DELIVERED);
    assertThat(live.verdict(200, "{\"validationMessages\":[{\"validationCode\":\"X\"}]}")).isEqualTo(Verdict.DELIVERED);
    assertThat(live.verdict(400, "  {\"error\":\n \"bad\"}")).isEqualTo(new Verdict.Rejected("ga4 answered 400: {\"error\": \"bad\"}"));
    assertThat(live.verdict(404, null)).isEqualTo(new Verdict.Rejected("ga4 answered 404: (empty body)"));
    assertThat(((Verdict.Rejected) live.verdict(413, "x".repeat(500))).reason()).hasSize("ga4 answered 413: ".length() + 201);
    assertThat(live.verdict(503, "")).isInstanceOf(Verdict.Retry.class);
    assertThat(live.verdict(429, "")).isInstanceOf(Verdict.Retry.class);

    Ga4Destination debug = destination("validate", "true");
    assertThat(debug.verdict(200, "{\"validationMessages\":[]}")).isEqualTo(Verdict.DELIVERED);
    assertThat(debug.verdict(200, "{\"validationMessages\":[{\"fieldPath\":\"events\",\"description\":\"Event at index:"
        + " [0] has invalid name [_bad].\",\"validationCode\":\"NAME_INVALID\"}]}"))
        .isEqualTo(new Verdict.Rejected("ga4_validation: NAME_INVALID events: Event at index: [0] has invalid name [_bad]."));
    assertThat(debug.verdict(200, "<html>")).isInstanceOf(Verdict.Rejected.class);
  }

  @Test
  void clockIsOnlyUsedForAge() {
    // Two destinations with different clocks (both within 72 h) send the same payload: replays agree.
    DeliveryEvent e = deliver(track("Video Played", "{}"));
    Mapped a = new Ga4Destination(config(Map.of()), CLOCK).map(e);
    Mapped b = new Ga4Destination(config(Map.of()), Clock.offset(CLOCK, Duration.ofHours(5))).map(e);
    assertThat(a).isEqualTo(b);
  }
}
