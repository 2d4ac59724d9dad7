package io.trackside.destination;

import static io.trackside.destination.Ga4Fixtures.EVENT_TIME;
import static io.trackside.destination.Ga4Fixtures.MEASUREMENT_ID;
import static io.trackside.destination.Ga4Fixtures.deliver;
import static io.trackside.destination.Ga4Fixtures.destination;
import static io.trackside.destination.Ga4Fixtures.event;
import static io.trackside.destination.Ga4Fixtures.params;
import static io.trackside.destination.Ga4Fixtures.requestFields;
import static io.trackside.destination.Ga4Fixtures.send;
import static io.trackside.destination.Ga4Fixtures.track;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** client_id, user_id, session_id, engagement_time_msec and timestamp_micros. */
class Ga4IdentityTest {

  private static String clientId(String event) {
    return requestFields(destination().map(deliver(event))).get("client_id").asText();
  }

  @Test
  void theGaCookieGivesTheClientIdOfTheSitesOwnTag() {
    assertThat(clientId(track("Video Played", "{}", "{\"cookies\":{\"_ga\":\"GA1.1.1234567890.1700000000\"}}")))
        .isEqualTo("1234567890.1700000000");
    assertThat(Ga4Identity.fromGaCookie("GA1.2.987654321.1699999999")).isEqualTo("987654321.1699999999");
    assertThat(Ga4Identity.fromGaCookie(" GA1.3-2.111.222 ")).isEqualTo("111.222");
    assertThat(Ga4Identity.fromGaCookie("not-a-cookie")).isNull();
    assertThat(Ga4Identity.fromGaCookie("GA1.1.abc.1700000000")).isNull();
    assertThat(Ga4Identity.fromGaCookie("1234567890.1700000000")).isNull();
  }

  @Test
  void anExplicitClientIdWinsOverTheCookie() {
    assertThat(clientId(track("Video Played", "{}",
        "{\"ga\":{\"clientId\":\"555.666\"},\"cookies\":{\"_ga\":\"GA1.1.1234567890.1700000000\"}}")))
        .isEqualTo("555.666");
    String viaIntegrations = track("Video Played", "{}");
    ObjectNode event = (ObjectNode) Ga4Fixtures.parse(viaIntegrations);
    event.putObject("integrations").putObject("Google Analytics 4").put("clientId", "777.888");
    assertThat(clientId(event.toString())).isEqualTo("777.888");
    event.putObject("integrations").putObject("Google Analytics").put("clientId", "999.000");
    assertThat(clientId(event.toString())).isEqualTo("999.000");
  }

  @Test
  void withoutAGaIdTheClientIdIsDerivedFromTheVisitorStably() {
    String a = track("Video Played", "{}");
    String again = a.replace("\"messageId\":\"", "\"messageId\":\"again-");
    String b = track("Video Played", "{}");
    String badCookie = track("Video Played", "{}", "{\"cookies\":{\"_ga\":\"garbage\"}}");
    assertThat(clientId(a)).matches("[1-9]\\d{9}\\.[1-9]\\d{9}").isEqualTo(clientId(again)).isNotEqualTo(clientId(b));
    assertThat(clientId(badCookie)).matches("\\d{10}\\.\\d{10}");
    // Another property sees another id for the same visitor.
    assertThat(Ga4Identity.derivedClientId("visitor-1", MEASUREMENT_ID))
        .isEqualTo(Ga4Identity.derivedClientId("visitor-1", MEASUREMENT_ID))
        .isNotEqualTo(Ga4Identity.derivedClientId("visitor-1", "G-OTHER"))
        .doesNotContain("visitor");
  }

  @Test
  void cookielessVisitorsGetAClientIdFromTheirDailyVisitorId() {
    String cookieless = "{\"type\":\"page\",\"messageId\":\"cl-1\",\"timestamp\":\"2024-05-01T10:00:00Z\","
        + "\"context\":{\"trackside\":{\"cookieless\":true},\"page\":{\"url\":\"https://shop.example/\"}}}";
    DeliveryEvent e = deliver(cookieless);
    assertThat(e.anonymousId()).isNull();
    assertThat(e.visitorId()).isNotBlank();
    assertThat(requestFields(destination().map(e)).get("client_id").asText())
        .isEqualTo(Ga4Identity.derivedClientId(e.visitorId(), MEASUREMENT_ID));
  }

  @Test
  void userIdFromTheEventsUserId() {
    String known = track("Video Played", "{}").replace("\"anonymousId\"", "\"userId\":\"u-42\",\"anonymousId\"");
    assertThat(requestFields(destination().map(deliver(known))).get("user_id").asText()).isEqualTo("u-42");
    assertThat(requestFields(destination().map(deliver(track("Video Played", "{}")))).has("user_id")).isFalse();
  }

  @Test
  void sessionIdIsNumericAndSharedByTheEventsOfOneVisit() {
    String first = track("Video Played", "{}");
    String anon = Ga4Fixtures.parse(first).get("anonymousId").asText();
    String second = first.replace("\"messageId\":\"", "\"messageId\":\"2-")
        .replace("2024-05-01T10:00:00Z", "2024-05-01T10:00:02Z");
    DeliveryEvent e1 = deliver(first);
    DeliveryEvent e2 = deliver(second);
    assertThat(e2.anonymousId()).isEqualTo(anon);
    assertThat(e1.sessionId()).isEqualTo(e2.sessionId()).hasSize(32);
    String s1 = params(destination().map(e1)).get("session_id").asText();
    assertThat(s1).matches("\\d{1,16}").isEqualTo(params(destination().map(e2)).get("session_id").asText());
    assertThat(Long.parseLong(s1)).isEqualTo(Long.parseLong(e1.sessionId().substring(0, 13), 16));
    assertThat(params(destination().map(deliver(track("Video Played", "{}")))).get("session_id").asText())
        .isNotEqualTo(s1);
  }

  @Test
  void theSitesOwnGaSessionIdWins() {
    String withTag = track("Video Played", "{}", "{\"ga\":{\"sessionId\":\"1714557000\"}}");
    assertThat(params(destination().map(deliver(withTag))).get("session_id").asText()).isEqualTo("1714557000");
  }

  @Test
  void engagementTimeIsMeasuredOrOne() {
    assertThat(params(destination().map(deliver(track("Video Played", "{}")))).get("engagement_time_msec").asLong())
        .isEqualTo(1);
    var measured = params(destination().map(deliver(track("Video Played", "{\"engagement_time_msec\":2500}"))));
    assertThat(measured.get("engagement_time_msec").asLong()).isEqualTo(2500);
    assertThat(measured.get("engagement_time_msec").isIntegralNumber()).isTrue();
    var fromContext = params(destination().map(deliver(track("Video Played", "{}", "{\"ga\":{\"engagementTimeMsec\":\"700\"}}"))));
    assertThat(fromContext.get("engagement_time_msec").asLong()).isEqualTo(700);
  }

  @Test
  void timestampMicrosIsTheEventsTime() {
    var mapped = destination().map(deliver(track("Video Played", "{}")));
    assertThat(event(mapped).get("timestamp_micros").asLong()).isEqualTo(EVENT_TIME.toEpochMilli() * 1000);
    assertThat(send(mapped).body().has("timestamp_micros")).isTrue();
  }

  @Test
  void placeAndDeviceFromThePipelinesFields() {
    DeliveryEvent e = deliver(track("Video Played", "{}", "{\"locale\":\"de-DE\",\"screen\":{\"width\":1920,\"height\":1080}}"),
        record -> ((ObjectNode) record.get(EnrichedLogRecords.TRACKSIDE)).put("country", "DE").put("city", "Berlin")
            .put("region", "DE-BE").put("deviceClass", "phone"));
    var request = requestFields(destination().map(e));
    assertThat(request.get("user_location").toString())
        .isEqualTo("{\"country_id\":\"DE\",\"region_id\":\"DE-BE\",\"city\":\"Berlin\"}");
    assertThat(request.get("device").get("category").asText()).isEqualTo("mobile");
    assertThat(request.get("device").get("language").asText()).isEqualTo("de-DE");
    assertThat(request.get("device").get("screen_resolution").asText()).isEqualTo("1920x1080");
    assertThat(request.has("ip_override")).isFalse();

    DeliveryEvent regionName = deliver(track("Video Played", "{}"),
        record -> ((ObjectNode) record.get(EnrichedLogRecords.TRACKSIDE)).put("region", "Berlin"));
    assertThat(requestFields(destination().map(regionName)).path("user_location").has("region_id")).isFalse();
  }
}
