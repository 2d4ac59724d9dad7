package io.trackside.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SegmentEventsTest {

  private static final long RECEIVED = Instant.parse("2024-05-01T10:00:05Z").toEpochMilli();

  private static ReceivedEvent received(String json) {
    return new ReceivedEvent(RECEIVED, "web", "203.0.113.7", "Mozilla/5.0", null, null,
        json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodesTheCommonFields() {
    Event e = SegmentEvents.decode(received("""
        {"type":"track","event":"Order Completed","messageId":"m-1","userId":"u-1",
         "anonymousId":"a-1","groupId":"g-1","previousId":"p-1","name":"Checkout",
         "context":{"ip":"198.51.100.1","page":{"url":"https://shop.example/x"}},
         "properties":{"revenue":12.5},"traits":{"plan":"pro"},"integrations":{"All":true}}
        """));

    assertThat(e.source()).isEqualTo("web");
    assertThat(e.type()).isEqualTo("track");
    assertThat(e.event()).isEqualTo("Order Completed");
    assertThat(e.name()).isEqualTo("Checkout");
    assertThat(e.messageId()).isEqualTo("m-1");
    assertThat(e.userId()).isEqualTo("u-1");
    assertThat(e.anonymousId()).isEqualTo("a-1");
    assertThat(e.groupId()).isEqualTo("g-1");
    assertThat(e.previousId()).isEqualTo("p-1");
    assertThat(e.clientIp()).isEqualTo("203.0.113.7");
    assertThat(e.userAgent()).isEqualTo("Mozilla/5.0");
    assertThat(e.context().path("page").path("url").asText()).isEqualTo("https://shop.example/x");
    assertThat(e.properties().get("revenue").decimalValue()).isEqualByComparingTo("12.5");
    assertThat(e.traits().get("plan").asText()).isEqualTo("pro");
    assertThat(e.integrations().get("All").asBoolean()).isTrue();
    assertThat(e.receivedAt()).isEqualTo(Instant.ofEpochMilli(RECEIVED));
  }

  @Test
  void numericIdsBecomeText() {
    Event e = SegmentEvents.decode(received(
        "{\"type\":\"identify\",\"userId\":12345678901234567890,\"anonymousId\":42,\"messageId\":7}"));

    assertThat(e.userId()).isEqualTo("12345678901234567890");
    assertThat(e.anonymousId()).isEqualTo("42");
    assertThat(e.messageId()).isEqualTo("7");
  }

  @Test
  void missingOrNonObjectObjectsAreEmpty() {
    Event e = SegmentEvents.decode(received(
        "{\"type\":\"track\",\"properties\":[1,2],\"context\":\"x\",\"traits\":null}"));

    assertThat(e.context()).isEmpty();
    assertThat(e.properties()).isEmpty();
    assertThat(e.traits()).isEmpty();
    assertThat(e.integrations()).isEmpty();
    assertThat(e.event()).isNull();
    assertThat(e.userId()).isNull();
  }

  @Test
  void correctsClientClockSkew() {
    // The client clock runs 1 h fast: it says it sent 2 s after the event happened.
    Event e = SegmentEvents.decode(received(
        "{\"type\":\"track\",\"timestamp\":\"2024-05-01T11:00:01Z\",\"sentAt\":\"2024-05-01T11:00:03Z\"}"));

    assertThat(e.originalTimestamp()).isEqualTo(Instant.parse("2024-05-01T11:00:01Z"));
    assertThat(e.sentAt()).isEqualTo(Instant.parse("2024-05-01T11:00:03Z"));
    assertThat(e.timestamp()).isEqualTo(Instant.parse("2024-05-01T10:00:03Z"));
  }

  @Test
  void timestampWithoutSentAtStandsAsSent() {
    Event e = SegmentEvents.decode(received("{\"type\":\"track\",\"timestamp\":\"2024-04-30T08:00:00.250+02:00\"}"));

    assertThat(e.originalTimestamp()).isEqualTo(Instant.parse("2024-04-30T06:00:00.250Z"));
    assertThat(e.timestamp()).isEqualTo(e.originalTimestamp());
    assertThat(e.sentAt()).isNull();
  }

  @Test
  void withoutATimestampTheEventHappenedWhenReceived() {
    Event e = SegmentEvents.decode(received("{\"type\":\"track\",\"sentAt\":\"2024-05-01T11:00:03Z\"}"));

    assertThat(e.originalTimestamp()).isNull();
    assertThat(e.timestamp()).isEqualTo(e.receivedAt());
  }

  @Test
  void parsesTheTimestampFormsClientsSend() {
    assertThat(parse("\"2024-05-01T10:00:00Z\"")).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(parse("\"2024-05-01T10:00:00.123Z\"")).isEqualTo(Instant.parse("2024-05-01T10:00:00.123Z"));
    assertThat(parse("\"2024-05-01T10:00:00.123456Z\"")).isEqualTo(Instant.parse("2024-05-01T10:00:00.123456Z"));
    assertThat(parse("\"2024-05-01T12:00:00+02:00\"")).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(parse("\"2024-05-01T05:30:00.5-04:30\"")).isEqualTo(Instant.parse("2024-05-01T10:00:00.5Z"));
    assertThat(parse("\"2024-05-01T10:00:00\"")).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
  }

  @Test
  void unusableTimestampsAreAbsentNotFatal() {
    assertThat(parse("\"2024-05-01\"")).isNull();
    assertThat(parse("\"yesterday\"")).isNull();
    assertThat(parse("\"\"")).isNull();
    assertThat(parse("1714557600000")).isNull();
    assertThat(parse("null")).isNull();
    assertThat(parse("\"+200000-01-01T00:00:00Z\"")).isNull();
    assertThat(parse("\"-0001-01-01T00:00:00Z\"")).isNull();
    assertThat(parse("\"9999-12-31T23:59:59Z\"")).isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));

    Event e = SegmentEvents.decode(received("{\"type\":\"track\",\"timestamp\":\"2024-05-01\"}"));
    assertThat(e.timestamp()).isEqualTo(e.receivedAt());
  }

  @Test
  void refusesWhatIsNotAJsonObject() {
    assertThatThrownBy(() -> SegmentEvents.decode(received("{\"type\":")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SegmentEvents.decode(received("[1,2]")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SegmentEvents.decode(received("")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SegmentEvents.decode(received("{\"a\":1} trailing")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SegmentEvents.decode(new ReceivedEvent(RECEIVED, "web", null, null, null, null,
        new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b})))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Instant parse(String jsonValue) {
    Event e = SegmentEvents.decode(received("{\"timestamp\":" + jsonValue + "}"));
    return e.originalTimestamp();
  }
}
