package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import io.trackside.core.ReceivedEvent;
import io.trackside.core.SegmentEvents;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Events as the collector stores them, decoded as the writer decodes them. */
final class PipelineEvents {

  /** Current browsers, as they send their User-Agent header. */
  static final String CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
      + " Chrome/131.0.0.0 Safari/537.36";
  static final String SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1_1 like Mac OS X) AppleWebKit/605.1.15"
      + " (KHTML, like Gecko) Version/18.1.1 Mobile/15E148 Safari/604.1";
  static final String FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

  private PipelineEvents() {
  }

  static Event event(String source, String json, Instant receivedAt, String ip, String userAgent) {
    return SegmentEvents.decode(new ReceivedEvent(receivedAt.toEpochMilli(), source, ip, userAgent, null, null,
        json.getBytes(StandardCharsets.UTF_8)));
  }

  /** A page view of the cookieless snippet: no ids, the marker, the time it happened. */
  static String cookielessPage(String url, Instant at) {
    return """
        {"type":"page","messageId":"%s","timestamp":"%s",
         "context":{"trackside":{"cookieless":true},"page":{"url":"%s","path":"%s"}}}"""
        .formatted(java.util.UUID.randomUUID(), at, url, PageFields.pathOf(url));
  }

  static String page(String anonymousId, String url, Instant at) {
    return """
        {"type":"page","messageId":"%s","anonymousId":"%s","timestamp":"%s",
         "context":{"page":{"url":"%s","path":"%s"}}}"""
        .formatted(java.util.UUID.randomUUID(), anonymousId, at, url, PageFields.pathOf(url));
  }

  static String track(String anonymousId, String name, Instant at) {
    return """
        {"type":"track","event":"%s","messageId":"%s","anonymousId":"%s","timestamp":"%s"}"""
        .formatted(name, java.util.UUID.randomUUID(), anonymousId, at);
  }

  static EnrichedEvent enriched(Event event) {
    return new EnrichedEvent(event);
  }
}
