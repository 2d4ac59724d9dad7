package io.trackside.warehouse;

import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;

/** An event to store, with the event-log position it was read from (kept for lineage and replay). */
public record LoggedEvent(EnrichedEvent enriched, int logPartition, long logOffset) {

  public Event event() {
    return enriched.event();
  }
}
