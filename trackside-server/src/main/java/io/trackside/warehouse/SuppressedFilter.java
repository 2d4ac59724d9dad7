package io.trackside.warehouse;

import java.util.ArrayList;
import java.util.List;

/**
 * A batch's events and quarantined records less those of suppressed ids (a deletion may have
 * suppressed them after the pipeline looked).
 */
record SuppressedFilter(List<LoggedEvent> events, List<QuarantinedRecord> quarantined, int suppressedEvents,
                        List<QuarantinedRecord> suppressedQuarantine) {

  static SuppressedFilter apply(Suppressions suppressions, List<LoggedEvent> events,
                                List<QuarantinedRecord> quarantined) {
    if (suppressions.isEmpty()) {
      return new SuppressedFilter(events, quarantined, 0, List.of());
    }
    List<LoggedEvent> kept = new ArrayList<>(events.size());
    for (LoggedEvent logged : events) {
      if (!suppressions.suppressed(logged.event())) {
        kept.add(logged);
      }
    }
    List<QuarantinedRecord> keptQuarantine = new ArrayList<>(quarantined.size());
    List<QuarantinedRecord> suppressedQuarantine = new ArrayList<>();
    for (QuarantinedRecord q : quarantined) {
      (suppressions.suppressedPayload(q.payload()) ? suppressedQuarantine : keptQuarantine).add(q);
    }
    return new SuppressedFilter(kept, keptQuarantine, events.size() - kept.size(), suppressedQuarantine);
  }
}
