package io.trackside.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  @Test
  void parsesTheFormsClientsSend() {
    assertThat(Timestamps.parse("2024-05-01T10:00:00Z")).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(Timestamps.parse("2024-05-01T10:00:03.120Z")).isEqualTo(Instant.parse("2024-05-01T10:00:03.120Z"));
    assertThat(Timestamps.parse("2024-05-01T12:00:00+02:00")).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(Timestamps.parse("2024-05-01T10:00:00")).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(Timestamps.parse("yesterday")).isNull();
    assertThat(Timestamps.parse("")).isNull();
    assertThat(Timestamps.parse(null)).isNull();
    assertThat(Timestamps.parse("+12345-01-01T00:00:00Z")).isNull();
  }

  @Test
  void theHandWrittenPathAcceptsExactlyWhatJavaTimeAcceptsWithTheSameValue() {
    java.util.Random random = new java.util.Random(20261129);
    String[] offsets = {"Z", "+00:00", "+02:00", "-05:30", "+14:00", "-12:00", "+18:00", "-18:00", "+18:01", "+19:00",
        "+02:60", "z", "+0200", "+02", "", "Z ", "+02:00:00", "UTC"};
    String[] fractions = {"", ".1", ".12", ".123", ".123456", ".123456789", ".1234567891", ".", ".x"};
    int canonical = 0;
    for (int i = 0; i < 200_000; i++) {
      String text = "%04d-%02d-%02d%s%02d:%02d:%02d%s%s".formatted(random.nextInt(10_000), random.nextInt(14),
          random.nextInt(33), random.nextInt(50) == 0 ? "t" : "T", random.nextInt(26), random.nextInt(62),
          random.nextInt(62), fractions[random.nextInt(fractions.length)], offsets[random.nextInt(offsets.length)]);
      Instant fast = Timestamps.parseCanonical(text);
      Instant general = Timestamps.parseGeneral(text);
      if (fast != null) {
        canonical++;
        assertThat(fast).as(text).isEqualTo(general);
      }
    }
    assertThat(canonical).as("most of the generated texts take the hand-written path").isGreaterThan(20_000);
    for (String edge : new String[] {"2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z", "2024-05-01T10:00:00.Z", "2024-05-01T24:00:00Z", "2024-05-01T10:00:60Z",
        "2024-05-01 10:00:00Z", "2024-05-01T10:00Z", "２０２４-05-01T10:00:00Z"}) {
      Instant fast = Timestamps.parseCanonical(edge);
      if (fast != null) {
        assertThat(fast).as(edge).isEqualTo(Timestamps.parseGeneral(edge));
      }
    }
    assertThat(Timestamps.parseCanonical("2023-02-29T00:00:00Z")).isNull();
    assertThat(Timestamps.parse("2024-05-01T10:00:00.5-01:30")).isEqualTo(Instant.parse("2024-05-01T11:30:00.500Z"));
  }

  @Test
  void correctsClockSkewAsSegmentDoes() {
    Instant original = Instant.parse("2024-05-01T10:00:00Z"); // device clock 1 h fast
    Instant sentAt = Instant.parse("2024-05-01T10:00:05Z");
    Instant received = Instant.parse("2024-05-01T09:00:05.200Z");
    assertThat(Timestamps.corrected(original, sentAt, received)).isEqualTo(Instant.parse("2024-05-01T09:00:00.200Z"));
    assertThat(Timestamps.corrected(original, null, received)).isEqualTo(original);
    assertThat(Timestamps.corrected(null, sentAt, received)).isEqualTo(received);
  }
}
