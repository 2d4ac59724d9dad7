package io.trackside.pipeline;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.Event;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A by-hand measurement, not a test: nanoseconds per event of each step of the standard
 * pipeline (the suppression check, the cookieless visitor id and sessions among them), on a mix (two thirds cookieless page views
 * from 20,000 address/browser pairs by default, a third identified visitors; ten events per visit).
 *
 * <pre>
 * java -cp ... io.trackside.pipeline.SessionStepsCost [EVENTS [VISITORS]]
 * </pre>
 */
public final class SessionStepsCost {

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    int visitors = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    String[] agents = {PipelineEvents.CHROME_WINDOWS, PipelineEvents.SAFARI_IPHONE, PipelineEvents.FIREFOX_LINUX};
    List<Event> events = new ArrayList<>();
    Instant start = Instant.now().minusSeconds(3600);
    for (int i = 0; i < 200_000; i++) {
      int visitor = visitors > 20_000 ? i % visitors : (i / 10) % visitors; // many visitors: one event each
      Instant at = start.plusMillis(i * 15L);
      String json = i % 3 == 0
          ? PipelineEvents.page("anon-" + visitor, "https://shop.example/p/" + (i % 500), at)
          : PipelineEvents.cookielessPage("https://shop.example/p/" + (i % 500) + "?utm_source=news", at);
      events.add(PipelineEvents.event("web", json, at.plusMillis(200),
          "198.51." + (visitor % 250) + "." + (visitor / 250), agents[visitor % 3]));
    }
    StepTimings timings = new StepTimings(new SimpleMeterRegistry());
    PipelineConfig config = PipelineConfig.defaults();
    Pipeline pipeline = new StandardPipeline(config, timings, ActiveTrackingPlan.none(),
        DailySalts.inMemory(ZoneOffset.UTC, Clock.systemUTC()), null).create(0);
    for (int round = 0; round < 2; round++) { // the first round warms the JIT up
      long before = System.nanoTime();
      Map<String, Long> at = timings.snapshot();
      for (int i = 0; i < n; i++) {
        pipeline.process(events.get(i % events.size()));
      }
      long took = System.nanoTime() - before;
      if (round == 1) {
        System.out.printf("%d events in %d ms: %.0f events/s for these steps together%n", n, took / 1_000_000,
            n * 1e9 / took);
        timings.snapshot().forEach((step, nanos) -> System.out.printf("  %-12s %6.0f ns/event%n", step,
            (nanos - at.getOrDefault(step, 0L)) / (double) n));
      }
    }
  }
}
