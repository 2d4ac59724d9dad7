package io.trackside.destination;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One destination's accounting: every event read from the log ends as delivered, filtered (with
 * a reason) or dead-lettered (with a reason); until then it is pending (lag) or retrying. Kept
 * both as Prometheus meters and as plain totals for {@code GET /api/destinations}.
 */
final class DestinationMetrics {
  private final String destination;
  private final MeterRegistry registry;
  private final Counter delivered;
  private final Counter requests;
  private final Counter failedAttempts;
  private final AtomicLong deliveredTotal = new AtomicLong();
  private final AtomicLong failedAttemptsTotal = new AtomicLong();
  private final Map<String, AtomicLong> filtered = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> deadLettered = new ConcurrentHashMap<>();
  private final Map<String, Counter> filteredCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> deadLetterCounters = new ConcurrentHashMap<>();
  final AtomicLong retrying = new AtomicLong();
  volatile String lastError;
  volatile Instant lastErrorAt;
  volatile Instant lastDeliveredAt;

  DestinationMetrics(String destination, MeterRegistry registry) {
    this.destination = destination;
    this.registry = registry;
    this.delivered = Counter.builder("trackside.destination.delivered")
        .description("events a destination accepted").tag("destination", destination).register(registry);
    this.requests = Counter.builder("trackside.destination.requests")
        .description("requests sent to a destination, retries included").tag("destination", destination)
        .register(registry);
    this.failedAttempts = Counter.builder("trackside.destination.failed.attempts")
        .description("requests that failed and will be retried (timeouts, refused connections, 429, 5xx)")
        .tag("destination", destination).register(registry);
  }

  void delivered(int n) {
    delivered.increment(n);
    deliveredTotal.addAndGet(n);
    lastDeliveredAt = Instant.now();
  }

  void request() {
    requests.increment();
  }

  void failedAttempt(String error) {
    failedAttempts.increment();
    failedAttemptsTotal.incrementAndGet();
    lastError = error;
    lastErrorAt = Instant.now();
  }

  void filtered(String reason) {
    filtered.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    filteredCounters.computeIfAbsent(reason, r -> Counter.builder("trackside.destination.filtered")
        .description("events not sent to a destination on purpose, by reason (consent, filters, not mapped)")
        .tag("destination", destination).tag("reason", r).register(registry)).increment();
  }

  void deadLettered(String reason) {
    deadLettered.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    deadLetterCounters.computeIfAbsent(reason, r -> Counter.builder("trackside.destination.dead.lettered")
        .description("events a destination gave up on, by reason; they wait in the dead_letters table")
        .tag("destination", destination).tag("reason", r).register(registry)).increment();
  }

  long deliveredTotal() {
    return deliveredTotal.get();
  }

  long failedAttemptsTotal() {
    return failedAttemptsTotal.get();
  }

  Map<String, Long> filteredByReason() {
    return snapshot(filtered);
  }

  Map<String, Long> deadLetteredByReason() {
    return snapshot(deadLettered);
  }

  private static Map<String, Long> snapshot(Map<String, AtomicLong> counts) {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }
}
