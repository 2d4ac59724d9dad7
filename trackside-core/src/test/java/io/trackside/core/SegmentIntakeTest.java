package io.trackside.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentIntakeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SegmentIntake intake = new SegmentIntake(IntakeLimits.segmentDefaults());

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private SegmentIntake.Request parse(String json) {
    try {
      return intake.parse(bytes(json), null);
    } catch (IntakeException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode tree(IntakeItem item) throws Exception {
    return JSON.readTree(item.json());
  }

  @Test
  void singleTrackTakesItsTypeFromThePathAndDropsTheWriteKey() throws Exception {
    SegmentIntake.Request request = intake.parse(bytes(
        "{\"writeKey\":\"wk\",\"event\":\"Signed Up\",\"userId\":\"u1\",\"messageId\":\"m1\"}"), "track");
    assertThat(request.writeKey()).isEqualTo("wk");
    IntakeItem item = request.items().get(0);
    assertThat(item.valid()).isTrue();
    assertThat(item.visitorKey()).isEqualTo("u1");
    assertThat(item.messageId()).isEqualTo("m1");
    JsonNode stored = tree(item);
    assertThat(stored.get("type").asText()).isEqualTo("track");
    assertThat(stored.has("writeKey")).isFalse();
  }

  @Test
  void batchEnvelopeContextIntegrationsAndSentAtFillEachItemWithoutOverridingIt() throws Exception {
    SegmentIntake.Request request = intake.parse(bytes("""
        {"batch":[
          {"type":"identify","userId":"u42","messageId":"a","context":{"library":{"name":"own"}}},
          {"type":"track","anonymousId":"a7","event":"Order Completed","messageId":"b","sentAt":"2024-05-01T10:00:06Z"}],
         "context":{"library":{"name":"my-lib","version":"1.0"},"locale":"de-DE"},
         "integrations":{"All":false},
         "sentAt":"2024-05-01T10:00:05.000Z"}"""), null);
    List<IntakeItem> items = request.items();
    assertThat(items).hasSize(2).allMatch(IntakeItem::valid);
    JsonNode first = tree(items.get(0));
    assertThat(first.at("/context/library/name").asText()).isEqualTo("own");
    assertThat(first.at("/context/library/version").asText()).isEqualTo("1.0");
    assertThat(first.at("/context/locale").asText()).isEqualTo("de-DE");
    assertThat(first.at("/integrations/All").asBoolean(true)).isFalse();
    assertThat(first.get("sentAt").asText()).isEqualTo("2024-05-01T10:00:05.000Z");
    JsonNode second = tree(items.get(1));
    assertThat(second.get("sentAt").asText()).isEqualTo("2024-05-01T10:00:06Z");
    assertThat(items.get(1).visitorKey()).isEqualTo("a7");
  }

  @Test
  void eachBadEventIsQuarantinedWithItsReasonAndTheRestStay() {
    SegmentIntake.Request request = parse("""
        {"batch":[
          {"type":"track","event":"ok","userId":"u"},
          {"type":"track","event":"no ids"},
          {"type":"track","userId":"u"},
          {"type":"track","event":"x","userId":{"id":1}},
          {"type":"track","event":"x","userId":"u","messageId":"%s"},
          {"type":"page","userId":"u","properties":[1,2]},
          {"type":"rocket","userId":"u"},
          {"type":"group","userId":"u"},
          {"type":"alias","userId":"u"},
          {"type":"track","event":"x","userId":"u","timestamp":"yesterday"},
          "just a string",
          {"type":"identify","userId":12345}
        ]}""".formatted("m".repeat(100)));
    assertThat(request.items()).extracting(IntakeItem::rejectReason).containsExactly(
        null, "no_user_anon_id", "missing_event", "wrong_type", "message_id_too_long", "wrong_type",
        "invalid_type", "missing_group_id", "missing_previous_id", "invalid_timestamp", "not_an_object", null);
    assertThat(request.items().get(11).visitorKey()).isEqualTo("12345");
    assertThat(request.items().get(1).rejectDetail()).contains("userId").contains("anonymousId");
  }

  @Test
  void missingMessageIdIsAssignedAndAMessageIdOf99CharactersIsFine() throws Exception {
    IntakeItem assigned = intake.parse(bytes("{\"userId\":\"u\"}"), "identify").items().get(0);
    assertThat(assigned.messageId()).hasSize(36);
    assertThat(tree(assigned).get("messageId").asText()).isEqualTo(assigned.messageId());
    IntakeItem longest = intake.parse(bytes("{\"userId\":\"u\",\"messageId\":\"" + "m".repeat(99) + "\"}"), "identify")
        .items().get(0);
    assertThat(longest.valid()).isTrue();
  }

  @Test
  void requestLevelProblemsAreIntakeExceptionsWithCodes() {
    assertThatThrownBy(() -> intake.parse(bytes("{\"batch\":[}"), null))
        .isInstanceOf(IntakeException.class).extracting("code").isEqualTo("invalid_json");
    assertThatThrownBy(() -> intake.parse(bytes(""), null)).extracting("code").isEqualTo("invalid_json");
    assertThatThrownBy(() -> intake.parse(bytes("[1,2]"), null)).extracting("code").isEqualTo("invalid_json");
    assertThatThrownBy(() -> intake.parse(bytes("{\"batch\":{}}"), null)).extracting("code").isEqualTo("invalid_batch");
    assertThatThrownBy(() -> intake.parse(bytes("{\"userId\":\"u\"} trailing"), "identify"))
        .extracting("code").isEqualTo("invalid_json");
    assertThatThrownBy(() -> intake.parse(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, "track"))
        .extracting("code").isEqualTo("invalid_json");
  }

  @Test
  void limitsAreSegments() {
    String bigProperty = "x".repeat(33 * 1024);
    assertThatThrownBy(() -> intake.parse(bytes("{\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"p\":\""
        + bigProperty + "\"}}"), "track")).extracting("code").isEqualTo("event_too_large");
    StringBuilder batch = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < 2501; i++) {
      batch.append(i == 0 ? "" : ",").append("{}");
    }
    assertThatThrownBy(() -> intake.parse(bytes(batch + "]}"), null)).extracting("code").isEqualTo("batch_too_large");
    assertThatThrownBy(() -> intake.parse(new byte[500 * 1024 + 1], null)).extracting("code").isEqualTo("request_too_large");
  }

  @Test
  void anOversizedEventInsideABatchIsQuarantinedAlone() throws Exception {
    String big = "{\"type\":\"track\",\"event\":\"e\",\"userId\":\"u\",\"properties\":{\"p\":\"" + "x".repeat(40_000) + "\"}}";
    SegmentIntake.Request request = intake.parse(bytes("{\"batch\":[" + big + ",{\"type\":\"identify\",\"userId\":\"u\"}]}"), null);
    assertThat(request.items()).extracting(IntakeItem::rejectReason).containsExactly("event_too_large", null);
  }

  @Test
  void deepNestingIsRefusedAsInvalidJson() {
    String deep = "{\"userId\":\"u\",\"properties\":" + "{\"a\":".repeat(200) + "1" + "}".repeat(200) + "}";
    assertThatThrownBy(() -> intake.parse(bytes(deep), "identify")).extracting("code").isEqualTo("invalid_json");
  }
  @Test
  void aCookielessEventNeedsNoIdsButOnlyWithTheExactMarker() {
    SegmentIntake.Request request = parse("""
        {"batch":[
          {"type":"page","context":{"trackside":{"cookieless":true},"page":{"url":"https://shop.example/"}}},
          {"type":"track","event":"Signed Up","context":{"trackside":{"cookieless":true}}},
          {"type":"page","context":{"trackside":{"cookieless":"true"}}},
          {"type":"page","context":{"trackside":{"cookieless":false}}},
          {"type":"page","context":{"trackside":true}},
          {"type":"page","anonymousId":"","context":{}},
          {"type":"track","context":{"trackside":{"cookieless":true}}},
          {"type":"page","anonymousId":"a1","context":{"trackside":{"cookieless":true}}}
        ]}""");
    assertThat(request.items()).extracting(IntakeItem::rejectReason).containsExactly(
        null, null, "no_user_anon_id", "no_user_anon_id", "no_user_anon_id", "no_user_anon_id", "missing_event", null);
    assertThat(request.items().get(2).rejectDetail()).contains("cookieless");
    // No visitor key, so the log is keyed by what the cookieless id is made of; ids win when present.
    IntakeItem cookieless = request.items().get(0);
    assertThat(cookieless.visitorKey()).isNull();
    assertThat(cookieless.logKey("203.0.113.7", "Mozilla/5.0")).isEqualTo("203.0.113.7\nMozilla/5.0");
    assertThat(cookieless.logKey(null, null)).isNull();
    assertThat(request.items().get(7).logKey("203.0.113.7", "Mozilla/5.0")).isEqualTo("a1");
  }

  @Test
  void aServerSideSendersCookielessEventsAreKeyedByTheVisitorsAddressNotTheSenders() {
    SegmentIntake.Request request = parse("""
        {"batch":[
          {"type":"page","context":{"trackside":{"cookieless":true},"ip":"198.51.100.1","userAgent":"Firefox"}},
          {"type":"page","context":{"trackside":{"cookieless":true},"ip":"198.51.100.2"}}
        ]}""");
    // The app server (10.0.0.5, the SDK's User-Agent) sends for every visitor: its address must not decide.
    assertThat(request.items().get(0).logKey("10.0.0.5", "trackside-java")).isEqualTo("198.51.100.1\nFirefox");
    assertThat(request.items().get(1).logKey("10.0.0.5", "trackside-java")).isEqualTo("198.51.100.2\ntrackside-java");
  }

  @Test
  void revalidatingAStoredEventAppliesTheSameRulesAndTheCurrentLimits() throws Exception {
    byte[] big = bytes("{\"type\":\"track\",\"event\":\"Big\",\"anonymousId\":\"a1\",\"messageId\":\"m-big\","
        + "\"properties\":{\"blob\":\"" + "x".repeat(40_000) + "\"}}");
    IntakeItem tooLarge = intake.revalidate(big, "q-1");
    assertThat(tooLarge.rejectReason()).isEqualTo("event_too_large");

    SegmentIntake roomier = new SegmentIntake(new IntakeLimits(64 * 1024, 500 * 1024, 2500, 64));
    IntakeItem fits = roomier.revalidate(big, "q-1");
    assertThat(fits.valid()).isTrue();
    assertThat(fits.messageId()).isEqualTo("m-big"); // its own id wins over the fallback

    IntakeItem stillInvalid = intake.revalidate(bytes("{\"type\":\"track\",\"event\":\"E\"}"), "q-2");
    assertThat(stillInvalid.rejectReason()).isEqualTo("no_user_anon_id");
  }

  @Test
  void revalidationGivesAnEventWithoutIdTheFallbackSoAReplayIsIdempotent() throws Exception {
    IntakeItem item = intake.revalidate(bytes("{\"type\":\"page\",\"anonymousId\":\"a1\",\"messageId\":\" \"}"), "q-7");
    assertThat(item.valid()).isTrue();
    assertThat(item.messageId()).isEqualTo("q-7");
    assertThat(tree(item).get("messageId").asText()).isEqualTo("q-7");
    assertThat(intake.revalidate(bytes("{\"type\":\"page\",\"anonymousId\":\"a1\"}"), "q-8").messageId())
        .isEqualTo("q-8");
  }

  @Test
  void revalidatingBytesThatAreNoEventRejectsThemWithoutThrowing() {
    assertThat(intake.revalidate(bytes("{\"a\":"), "q").rejectReason()).isEqualTo("invalid_json");
    assertThat(intake.revalidate(new byte[0], "q").rejectReason()).isEqualTo("invalid_json");
    assertThat(intake.revalidate(bytes("[1,2]"), "q").rejectReason()).isEqualTo("not_an_object");
    assertThat(intake.revalidate(new byte[] {1, (byte) 0xff, 0x7f}, "q").rejectReason()).isEqualTo("invalid_json");
  }
}
