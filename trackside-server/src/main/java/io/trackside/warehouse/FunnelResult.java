package io.trackside.warehouse;

import java.util.List;

/** A funnel's answer: the steps over everyone in scope, and the same per breakdown value. */
public record FunnelResult(List<Step> steps, List<Segment> breakdown) {

  /**
   * @param count                     people who reached this step (having reached every step before, in order)
   * @param dropOff                   people who reached the previous step but not this one (0 for the first)
   * @param medianSecondsFromPrevious median time from the previous step to this one; null for the first or when nobody got here
   */
  public record Step(String label, long count, double conversionFromPrevious, double conversionFromStart,
                     long dropOff, Double medianSecondsFromPrevious) {
  }

  /** The steps of the people whose breakdown value is {@code value} ({@code (none)} when absent). */
  public record Segment(String value, List<Step> steps) {
  }
}
