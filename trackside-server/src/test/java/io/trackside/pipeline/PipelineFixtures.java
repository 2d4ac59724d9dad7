package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import io.trackside.core.SegmentEvents;
import io.trackside.warehouse.TestEvents;
import java.util.List;

/** Events decoded as the workers decode them, run through a chosen list of steps. */
final class PipelineFixtures {

  private PipelineFixtures() {
  }

  static Event decode(String json) {
    return SegmentEvents.decode(TestEvents.received("web", json, TestEvents.RECEIVED_AT));
  }

  static EnrichedEvent run(String json, Step... steps) {
    return run(decode(json), List.of(steps));
  }

  static EnrichedEvent run(Event event, List<Step> steps) {
    EnrichedEvent e = new EnrichedEvent(event);
    for (Step step : steps) {
      step.apply(e);
    }
    return e;
  }

  /** A page call from analytics.js with this URL and referrer in context.page and in the properties. */
  static String page(String url, String referrer) {
    return "{\"type\":\"page\",\"anonymousId\":\"a1\",\"messageId\":\"m1\",\"timestamp\":\"2024-05-01T10:00:00Z\","
        + "\"properties\":{\"url\":" + quote(url) + ",\"referrer\":" + quote(referrer) + "},"
        + "\"context\":{\"page\":{\"url\":" + quote(url) + ",\"referrer\":" + quote(referrer) + "}}}";
  }

  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
