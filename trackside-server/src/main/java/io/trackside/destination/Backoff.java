package io.trackside.destination;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "full jitter" (a random wait between half and all of the step), so
 * many retries after one outage do not arrive at the platform in lock-step; a server's
 * {@code Retry-After} is honoured when it asks for longer.
 */
record Backoff(Duration first, Duration max) {

  static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofMinutes(2));

  /** Wait before attempt {@code attempt + 1} (attempt counts from 1), at least {@code retryAfter}. */
  Duration delay(int attempt, Duration retryAfter) {
    long step = first.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(Math.max(step, first.toMillis()), max.toMillis());
    long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    // retryAfter is already capped at an hour by retryAfter(String, Instant).
    long wait = retryAfter == null ? jittered : Math.max(jittered, retryAfter.toMillis());
    return Duration.ofMillis(wait);
  }

  /**
   * A {@code Retry-After} value: seconds, or an HTTP date; null when absent or unreadable.
   * Capped at an hour — a platform asking for more is treated as asking for an hour.
   */
  static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, 3600));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(now, at);
        return wait.isNegative() ? Duration.ZERO : (wait.toSeconds() > 3600 ? Duration.ofHours(1) : wait);
      } catch (DateTimeParseException unreadable) {
        return null;
      }
    }
  }
}
