package io.trackside.warehouse;

import io.trackside.core.Event;

/** An event to store, with the event-log position it was read from (kept for lineage and replay). */
public record LoggedEvent(Event event, int logPartition, long logOffset) {
}
