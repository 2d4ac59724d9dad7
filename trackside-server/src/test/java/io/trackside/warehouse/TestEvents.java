package io.trackside.warehouse;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.Event;
import io.trackside.core.ReceivedEvent;
import io.trackside.pipeline.Pipeline;
import io.trackside.pipeline.PipelineConfig;
import io.trackside.pipeline.StandardPipeline;
import io.trackside.pipeline.StepTimings;
import io.trackside.core.SegmentEvents;
import java.nio.charset.StandardCharsets;

/** Builds events as the collector would have stored them. */
public final class TestEvents {

  private static final Pipeline PIPELINE =
      new StandardPipeline(PipelineConfig.defaults(), new StepTimings(new SimpleMeterRegistry())).create(0);

  public static final long RECEIVED_AT = 1_714_557_605_000L; // 2024-05-01T10:00:05Z

  private TestEvents() {
  }

  public static ReceivedEvent received(String source, String json, long receivedAtMillis) {
    return new ReceivedEvent(receivedAtMillis, source, "203.0.113.77", "Mozilla/5.0 (X11; Linux x86_64) Test/1.0",
        null, null, json.getBytes(StandardCharsets.UTF_8));
  }

  /** A track event of about 500 bytes of JSON, like a typical browser event. */
  public static String track(String messageId, String anonymousId) {
    return "{\"type\":\"track\",\"event\":\"Product Viewed\",\"messageId\":\"" + messageId + "\","
        + "\"anonymousId\":\"" + anonymousId + "\",\"timestamp\":\"2024-05-01T10:00:00.000Z\","
        + "\"sentAt\":\"2024-05-01T10:00:01.000Z\","
        + "\"properties\":{\"product_id\":\"sku-1234\",\"name\":\"Blue running shoes\",\"price\":89.9,"
        + "\"currency\":\"EUR\",\"category\":\"Shoes\"},"
        + "\"context\":{\"page\":{\"url\":\"https://shop.example/p/blue-shoes?utm_source=news&utm_medium=email\","
        + "\"referrer\":\"https://www.google.com/\",\"title\":\"Blue running shoes\"},"
        + "\"locale\":\"de-DE\",\"library\":{\"name\":\"analytics.js\",\"version\":\"5.2.0\"},"
        + "\"screen\":{\"width\":1920,\"height\":1080}}}";
  }

  public static LoggedEvent logged(ReceivedEvent received, int partition, long offset) {
    return logged(SegmentEvents.decode(received), partition, offset);
  }

  /** The event as the standard pipeline enriches it by default. */
  public static LoggedEvent logged(Event event, int partition, long offset) {
    return new LoggedEvent(PIPELINE.process(event), partition, offset);
  }

  public static LoggedEvent logged(String messageId, int partition, long offset) {
    return logged(received("web", track(messageId, "anon-" + messageId), RECEIVED_AT + offset), partition, offset);
  }
}
