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
  void correctsClockSkewAsSegmentDoes() {
    Instant original = Instant.parse("2024-05-01T10:00:00Z"); // device clock 1 h fast
    Instant sentAt = Instant.parse("2024-05-01T10:00:05Z");
    Instant received = Instant.parse("2024-05-01T09:00:05.200Z");
    assertThat(Timestamps.corrected(original, sentAt, received)).isEqualTo(Instant.parse("2024-05-01T09:00:00.200Z"));
    assertThat(Timestamps.corrected(original, null, received)).isEqualTo(original);
    assertThat(Timestamps.corrected(null, sentAt, received)).isEqualTo(received);
  }
}
