package io.trackside.pipeline;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Time spent in each pipeline step, summed over every worker's pipeline, exported as
 * {@code trackside.pipeline.step.seconds{step}}.
 */
public final class StepTimings {

  private final MeterRegistry registry;
  private final Map<String, LongAdder> nanosByStep = new ConcurrentHashMap<>();

  public StepTimings(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Where steps register their own meters (cache sizes, counts). */
  MeterRegistry registry() {
    return registry;
  }

  LongAdder forStep(String step) {
    return nanosByStep.computeIfAbsent(step, name -> {
      LongAdder nanos = new LongAdder();
      FunctionCounter.builder("trackside.pipeline.step.seconds", nanos, n -> n.sum() / 1e9)
          .description("time spent in each pipeline step, all workers together")
          .baseUnit("seconds")
          .tag("step", name)
          .register(registry);
      return nanos;
    });
  }

  /** Nanoseconds so far by step name, in no particular order. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new LinkedHashMap<>();
    nanosByStep.forEach((step, nanos) -> out.put(step, nanos.sum()));
    return out;
  }
}
