package io.trackside.collect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The collector's side of promise 2 — per source, received = stored + quarantined(reason) +
 * refused(reason) — and whole requests rejected before any event could be read. Counters are
 * cached so the hot path does no registry look-up.
 */
public final class CollectMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  // Every accepted request counts received and stored: keyed by source alone, no key to build.
  private final Map<String, Counter> receivedBySource = new ConcurrentHashMap<>();
  private final Map<String, Counter> storedBySource = new ConcurrentHashMap<>();
  private final Timer requestTimer;

  public CollectMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.requestTimer = Timer.builder("trackside.collect.request")
        .description("Collector requests from arrival until the answer, durable append included")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
  }

  Timer requestTimer() {
    return requestTimer;
  }

  void received(String source, int events) {
    receivedBySource.computeIfAbsent(source, s -> counter("trackside.collect.events.received",
        "Events read from requests", "source", s, null, null)).increment(events);
  }

  void stored(String source, int events) {
    storedBySource.computeIfAbsent(source, s -> counter("trackside.collect.events.stored",
        "Valid events durably appended to the log", "source", s, null, null)).increment(events);
  }

  void quarantined(String source, String reason) {
    counter("trackside.collect.events.quarantined", "Invalid events durably stored for the quarantine",
        "source", source, "reason", reason).increment();
  }

  void refused(String source, String reason, int events) {
    counter("trackside.collect.events.refused", "Events answered with 503 (not stored; the client retries)",
        "source", source, "reason", reason).increment(events);
  }

  void rejectedRequest(String reason) {
    counter("trackside.collect.requests.rejected", "Whole requests answered 400 or 401",
        "reason", reason, null, null).increment();
  }

  private Counter counter(String name, String description, String k1, String v1, String k2, String v2) {
    String cacheKey = name + '|' + v1 + '|' + v2;
    Counter counter = counters.get(cacheKey);
    if (counter != null) {
      return counter;
    }
    return counters.computeIfAbsent(cacheKey, k -> {
      Counter.Builder builder = Counter.builder(name).description(description).tag(k1, v1);
      if (k2 != null) {
        builder.tag(k2, v2);
      }
      return builder.register(registry);
    });
  }
}
