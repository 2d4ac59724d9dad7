package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;

/**
 * With {@code bots.drop: true}, events flagged as bots by any layer are not stored (only counted
 * under {@code trackside_pipeline_dropped_total{reason="bot"}}). Runs after every bot layer.
 */
final class BotDrop implements Step {

  @Override
  public String name() {
    return "bot_drop";
  }

  @Override
  public void apply(EnrichedEvent e) {
    if (e.bot) {
      e.drop("bot");
    }
  }
}
