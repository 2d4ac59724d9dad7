package io.trackside.warehouse;

import java.util.List;

/**
 * Paths from (or to) a start, as a Sankey diagram: one node per step away from the start and
 * label, links between consecutive steps, and the most common first step away from the start.
 */
public record JourneyResult(List<Node> nodes, List<Link> links, List<Top> top) {

  /** @param step 0 for the start, then 1, 2, ... steps away from it (after it, or before it) */
  public record Node(String id, int step, String label, long sessions) {
  }

  /** Sessions that went from {@code source} to {@code target}, in time order. */
  public record Link(String source, String target, long sessions) {
  }

  /** @param share of the sessions that reached the start */
  public record Top(String label, long sessions, double share) {
  }
}
