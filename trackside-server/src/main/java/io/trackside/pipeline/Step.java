package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;

/**
 * One stage of the {@link Pipeline}: reads the event and what earlier steps derived, and sets
 * its own fields of the {@link EnrichedEvent} — or quarantines or drops it. Never throws for a
 * strange event: anything a step cannot make sense of simply stays unset (a thrown exception
 * quarantines the event as {@code step_failed}, so a bug cannot stall the pipeline).
 *
 * <p>A step instance belongs to one worker thread (see {@link Pipeline.Factory}), so a stateful
 * step (sessions, behaviour) needs no locking; a stateless one may be shared.
 */
public interface Step {

  /** Short name used in config, metrics and the benchmark (e.g. "user_agent"). */
  String name();

  void apply(EnrichedEvent event);
}
