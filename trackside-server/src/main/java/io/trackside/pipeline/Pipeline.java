package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered steps that turn a decoded {@link Event} into an {@link EnrichedEvent}: page and
 * campaign fields, device, place, privacy, sessions, tracking plan. Each step is small, tested
 * alone and switchable in config ({@link PipelineConfig}).
 *
 * <p>One instance per worker thread. The time spent in each step is counted (two clock reads
 * per step, a few tens of nanoseconds) in {@link StepTimings}, so an operator can see in
 * {@code /metrics} which step costs what.
 */
public final class Pipeline {

  /** Builds the pipeline of one worker; stateful steps get their own instances per worker. */
  @FunctionalInterface
  public interface Factory {
    Pipeline create(int worker);

    /**
     * A warehouse writer is about to create its pipelines: state restored from the warehouse at
     * start-up (session numbers) is read again, because a writer that starts later — on
     * partitions this node took over from another — must continue what the other node stored.
     */
    default void writerStarting() {
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  private final Step[] steps;
  private final LongAdder[] nanos;

  public Pipeline(List<Step> steps, StepTimings timings) {
    this.steps = steps.toArray(Step[]::new);
    this.nanos = new LongAdder[this.steps.length];
    for (int i = 0; i < this.steps.length; i++) {
      nanos[i] = timings.forStep(this.steps[i].name());
    }
  }

  public List<String> stepNames() {
    return Arrays.stream(steps).map(Step::name).toList();
  }

  /**
   * Runs every step in order until one quarantines or drops the event.
   *
   * @throws PipelineInterruptedException when the worker was interrupted while a step waited
   */
  public EnrichedEvent process(Event event) {
    EnrichedEvent enriched = new EnrichedEvent(event);
    for (int i = 0; i < steps.length && !enriched.decided(); i++) {
      long started = System.nanoTime();
      try {
        steps[i].apply(enriched);
      } catch (PipelineInterruptedException e) {
        throw e; // the worker is stopping: not the event's fault, nothing to quarantine
      } catch (RuntimeException e) {
        log.warn("Pipeline step {} failed on event {}: {}; the event is quarantined", steps[i].name(),
            event.messageId(), e.toString());
        enriched.quarantine("step_failed", steps[i].name() + ": " + e);
      }
      nanos[i].add(System.nanoTime() - started);
    }
    return enriched;
  }
}
