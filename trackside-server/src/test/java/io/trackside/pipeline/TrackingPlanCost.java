package io.trackside.pipeline;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.Event;
import io.trackside.core.SegmentEvents;
import io.trackside.warehouse.TestEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A by-hand measurement, not a test: the cost per event of each pipeline step, the tracking
 * plan included, on one thread over a realistic mix (planned events that pass, some that violate
 * the plan, unplanned events, page views).
 *
 * <pre>
 * java -cp ... io.trackside.pipeline.TrackingPlanCost [EVENTS]
 * </pre>
 */
public final class TrackingPlanCost {

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    Path plan = Files.createTempFile("plan", ".json");
    Files.writeString(plan, TrackingPlanTest.SHOP_PLAN);
    ActiveTrackingPlan active = ActiveTrackingPlan.load(new TrackingPlanConfig(plan,
        new TrackingPlanConfig.Rules(TrackingPlanConfig.Mode.ALLOW, TrackingPlanConfig.Unplanned.FLAG), Map.of()));
    List<Event> mix = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String id = "m-" + i;
      String json = switch (i % 10) {
        case 0, 1, 2 -> "{\"type\":\"track\",\"event\":\"Order Completed\",\"anonymousId\":\"a" + i + "\",\"messageId\":\""
            + id + "\",\"properties\":{\"order_id\":\"o-" + i + "\",\"total\":" + (10 + i) + ".5,\"currency\":\"EUR\","
            + "\"products\":[{\"sku\":\"sku-1\",\"quantity\":1},{\"sku\":\"sku-2\",\"quantity\":2}]}}";
        case 3 -> "{\"type\":\"track\",\"event\":\"Order Completed\",\"anonymousId\":\"a" + i + "\",\"messageId\":\""
            + id + "\",\"properties\":{\"order_id\":" + i + ",\"total\":\"12\"}}";
        case 4, 5, 6 -> TestEvents.track(id, "a" + i);
        case 7 -> "{\"type\":\"track\",\"event\":\"Newsletter Opened\",\"anonymousId\":\"a" + i + "\",\"messageId\":\""
            + id + "\",\"properties\":{\"issue\":42}}";
        default -> "{\"type\":\"page\",\"anonymousId\":\"a" + i + "\",\"messageId\":\"" + id + "\","
            + "\"properties\":{\"url\":\"https://shop.example/p/" + i + "\"}}";
      };
      mix.add(SegmentEvents.decode(TestEvents.received("web", json, TestEvents.RECEIVED_AT)));
    }
    for (int round = 0; round < 2; round++) { // the first round warms the JIT up
      StepTimings timings = new StepTimings(new SimpleMeterRegistry());
      Pipeline pipeline = new StandardPipeline(PipelineConfig.defaults(), timings, active).create(0);
      long started = System.nanoTime();
      for (int i = 0; i < n; i++) {
        pipeline.process(mix.get(i % mix.size()));
      }
      long total = System.nanoTime() - started;
      if (round == 1) {
        System.out.printf("%d events, %.0f ns/event in all (%.0f events/s)%n", n, (double) total / n, n * 1e9 / total);
        timings.snapshot().forEach((step, nanos) -> System.out.printf("  %-14s %7.0f ns/event%n", step, (double) nanos / n));
      }
    }
  }
}
