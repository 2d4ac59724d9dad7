package io.trackside.core;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** ISO-8601 timestamps as Segment clients send them. */
public final class Timestamps {
  // Years 1 to 9999: what ISO-8601 writes without a sign, and what every store downstream holds.
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private Timestamps() {
  }

  /**
   * Parses "2024-05-01T10:00:00Z", with or without fractions, with an offset such as "+02:00",
   * or without any zone (read as UTC, as several mobile libraries send it). Years outside
   * 1..9999 are not accepted.
   *
   * @return the instant, or null when the text is not such a timestamp
   */
  public static Instant parse(String text) {
    Instant instant = parseIso(text);
    return instant == null || instant.isBefore(EARLIEST) || instant.isAfter(LATEST) ? null : instant;
  }

  private static Instant parseIso(String text) {
    if (text == null || text.isEmpty() || text.length() > 64) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notWithOffset) {
      try {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException notLocal) {
        return null;
      }
    }
  }

  /**
   * Segment's clock-skew correction: {@code receivedAt − (sentAt − originalTimestamp)}. Without
   * sentAt no correction is possible and the client's timestamp stands; without a client
   * timestamp the event happened when it was received.
   */
  public static Instant corrected(Instant originalTimestamp, Instant sentAt, Instant receivedAt) {
    if (originalTimestamp == null) {
      return receivedAt;
    }
    if (sentAt == null) {
      return originalTimestamp;
    }
    long skewMillis = sentAt.toEpochMilli() - originalTimestamp.toEpochMilli();
    return receivedAt.minusMillis(skewMillis);
  }
}
