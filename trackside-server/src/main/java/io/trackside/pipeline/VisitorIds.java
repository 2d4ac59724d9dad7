package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;

/** Who the visitor is: the anonymousId, else the userId. */
final class VisitorIds implements Step {

  @Override
  public String name() {
    return "visitor_id";
  }

  @Override
  public void apply(EnrichedEvent e) {
    e.visitorId = e.event().visitorKey();
  }
}
