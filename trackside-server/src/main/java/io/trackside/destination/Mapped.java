package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;

/** What a {@link Destination} makes of one event. */
public sealed interface Mapped {

  /**
   * The event in the platform's shape.
   *
   * @param eventId  the event's stable id (the same on every retry and replay)
   * @param batchKey payloads with different keys never share a request (GA4: one client per
   *                 request); null when any payloads may
   * @param body     the part of the request body this event contributes
   * @param bytes    about how many bytes it adds to the request body, for batching by size
   */
  record Send(String eventId, String batchKey, JsonNode body, int bytes) implements Mapped {
  }

  /** Not for this platform (for example an identify call Meta has no event for): counted as filtered. */
  record Skip(String reason) implements Mapped {
  }

  /** Can never be sent (too old, missing a required field): dead-lettered with this reason. */
  record Reject(String reason) implements Mapped {
  }
}
