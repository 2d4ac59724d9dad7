package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import io.trackside.warehouse.Suppressions;

/**
 * Drops the events of people whose data was deleted (GDPR/CCPA erasure): an event whose userId,
 * anonymousId or previousId is on the suppression list is not stored anywhere, only counted
 * ({@code trackside_pipeline_dropped_total{reason="suppressed"}}). First in the pipeline, so no
 * other step spends time on it — and a replay of the raw log drops them again.
 *
 * <p>The list is an in-memory set shared by every worker (loaded from the warehouse at start,
 * updated by each deletion), so the check costs a hash lookup or, with no suppressions, nothing.
 */
final class SuppressionCheck implements Step {

  static final String REASON = "suppressed";

  private final Suppressions suppressions;

  SuppressionCheck(Suppressions suppressions) {
    this.suppressions = suppressions;
  }

  @Override
  public String name() {
    return "suppression";
  }

  @Override
  public void apply(EnrichedEvent e) {
    if (suppressions.suppressed(e.event())) {
      e.drop(REASON);
    }
  }
}
