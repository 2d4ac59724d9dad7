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
    Instant canonical = parseCanonical(text);
    return canonical != null ? canonical : parseGeneral(text);
  }

  /**
   * The form nearly every client sends — {@code 2024-05-01T10:00:00.123Z} or with {@code +02:00}
   * — read by hand: java.time's ISO parser took 11 % of a collector's CPU (two or three
   * timestamps per event). Null for anything else, which {@link #parseGeneral} then decides; so
   * this path only ever accepts what that one accepts, with the same value (TimestampsTest).
   */
  static Instant parseCanonical(String t) {
    int n = t.length();
    if (n < 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
        || t.charAt(16) != ':') {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 2);
    int day = digits(t, 8, 2);
    int hour = digits(t, 11, 2);
    int minute = digits(t, 14, 2);
    int second = digits(t, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (t.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
        nanos = nanos * 10 + (t.charAt(i++) - '0');
      }
      int count = i - start;
      if (count == 0) {
        return null;
      }
      for (int k = count; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds;
    if (i == n - 1 && t.charAt(i) == 'Z') {
      offsetSeconds = 0;
    } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
      int oh = digits(t, i + 1, 2);
      int om = digits(t, i + 4, 2);
      if (oh < 0 || om < 0 || om > 59 || oh > 18 || (oh == 18 && om > 0)) {
        return null;
      }
      offsetSeconds = (t.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return null;
    }
    long epochDay;
    try {
      epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
    } catch (java.time.DateTimeException noSuchDay) { // 30 February, 31 April, ...
      return null;
    }
    long epochSecond = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
    return Instant.ofEpochSecond(epochSecond, nanos);
  }

  /** The value of {@code count} ASCII digits at {@code from}, or -1. */
  private static int digits(String t, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  static Instant parseGeneral(String text) {
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
