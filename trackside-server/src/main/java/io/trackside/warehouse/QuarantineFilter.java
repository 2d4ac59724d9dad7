package io.trackside.warehouse;

import java.time.Instant;

/**
 * Which quarantine rows a replay (or a query) is about; null fields match everything.
 *
 * @param since received at or after (inclusive)
 * @param until received before (exclusive)
 */
public record QuarantineFilter(String reason, String source, Instant since, Instant until) {

  public static QuarantineFilter all() {
    return new QuarantineFilter(null, null, null, null);
  }
}
