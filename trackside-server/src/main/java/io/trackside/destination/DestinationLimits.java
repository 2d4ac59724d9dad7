package io.trackside.destination;

import java.time.Duration;

/**
 * A platform's limits.
 *
 * @param maxEvents most events in one request (GA4: 25, Meta: 1,000)
 * @param maxBytes  most bytes of one request body (GA4: 130 kB)
 * @param maxAge    events older than this (by their timestamp) are rejected by the platform, so the
 *                  engine dead-letters them before sending; null when any age is accepted
 */
public record DestinationLimits(int maxEvents, int maxBytes, Duration maxAge) {

  public DestinationLimits {
    if (maxEvents < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("limits must be positive: maxEvents=" + maxEvents + " maxBytes=" + maxBytes);
    }
  }
}
