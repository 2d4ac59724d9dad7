package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;

/**
 * Checks each event against the tracking plan and applies its source's rules: violations are
 * recorded on the event (mode allow) or send it to the quarantine (mode block); an event the
 * plan does not list is let through, flagged or quarantined. Costs one volatile read when no
 * plan is configured, and a hash look-up by event name before any validation.
 */
final class TrackingPlanCheck implements Step {

  static final String SCHEMA_VIOLATION = "schema_violation";
  static final String UNPLANNED_EVENT = "unplanned_event";
  static final String UNPLANNED = "unplanned event";

  private final ActiveTrackingPlan active;

  TrackingPlanCheck(ActiveTrackingPlan active) {
    this.active = active;
  }

  @Override
  public String name() {
    return "tracking_plan";
  }

  @Override
  public void apply(EnrichedEvent e) {
    TrackingPlan plan = active.current();
    if (plan == null) {
      return;
    }
    Event event = e.event();
    TrackingPlanConfig.Rules rules = active.config().rulesFor(event.source());
    switch (plan.check(event, e.planViolations)) {
      case VIOLATED -> {
        if (rules.mode() == TrackingPlanConfig.Mode.BLOCK) {
          e.quarantine(SCHEMA_VIOLATION, String.join("; ", e.planViolations));
        }
      }
      case UNPLANNED -> {
        switch (rules.unplanned()) {
          case FLAG -> e.planViolations.add(UNPLANNED);
          case BLOCK -> e.quarantine(UNPLANNED_EVENT, "\"" + shorten(event.event()) + "\" is not in the tracking plan");
          default -> { }
        }
      }
      default -> { }
    }
  }

  private static String shorten(String name) {
    if (name == null) {
      return "(no name)";
    }
    return name.length() > 100 ? name.substring(0, 100) + "…" : name;
  }
}
