package io.trackside.sdk;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Waits between attempts: exponential (initial, 2×, 4×, … up to the maximum) with jitter — a
 * random point in the upper half of the step — so that many application instances that lost the
 * server together do not come back in step. A server's Retry-After is a minimum, honoured up to
 * {@link #MAX_RETRY_AFTER}.
 */
final class Backoff {
  /** A Retry-After beyond this is taken as this: an hour's pause would only fill the queue. */
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

  private final Duration initial;
  private final Duration max;

  Backoff(Duration initial, Duration max) {
    this.initial = initial;
    this.max = max;
  }

  /** @param retry 1 for the first retry; @param retryAfter the server's ask, or null */
  Duration delay(int retry, Duration retryAfter) {
    long step = initial.toMillis();
    for (int i = 1; i < retry && step < max.toMillis(); i++) {
      step *= 2;
    }
    step = Math.min(step, max.toMillis());
    long jittered = step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
    if (retryAfter != null && !retryAfter.isNegative()) {
      jittered = Math.max(jittered, Math.min(retryAfter.toMillis(), MAX_RETRY_AFTER.toMillis()));
    }
    return Duration.ofMillis(jittered);
  }

  /** Delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when it is neither. */
  static Duration parseRetryAfter(String value) {
    String v = value.trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(Instant.now(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }
}
