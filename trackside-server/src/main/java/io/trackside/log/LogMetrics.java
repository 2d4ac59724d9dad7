package io.trackside.log;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The log's meters. Prometheus names: trackside_log_appended_records_total and so on. */
final class LogMetrics {
  static final List<String> REFUSAL_REASONS = List.of("queue_full", "disk_full", "log_full", "closed", "io_error");

  private final MeterRegistry registry;
  private final String prefix;
  private final List<Meter> meters = new ArrayList<>();
  final Counter appendedRecords;
  final Counter appendedBytes;
  final Timer fsync;
  final DistributionSummary groupCommitRecords;
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Map<String, Counter> expiredUnconsumed = new ConcurrentHashMap<>();

  LogMetrics(MeterRegistry registry, String prefix, AtomicLong logSize, AtomicLong queuedBytes) {
    this.registry = registry;
    this.prefix = prefix;
    appendedRecords = add(Counter.builder(prefix + ".appended.records")
        .description("Records made durable in the log").register(registry));
    appendedBytes = add(Counter.builder(prefix + ".appended.bytes")
        .description("Bytes written to the log, record headers included").baseUnit("bytes").register(registry));
    fsync = add(Timer.builder(prefix + ".fsync")
        .description("Time to fsync the partitions of one group commit").register(registry));
    groupCommitRecords = add(DistributionSummary.builder(prefix + ".group.commit.records")
        .description("Records made durable by one group commit (one fsync per touched partition)").register(registry));
    for (String reason : REFUSAL_REASONS) {
      refused.put(reason, add(Counter.builder(prefix + ".refused").tag("reason", reason)
          .description("Records the log did not take; the caller was told (503)").register(registry)));
    }
    add(Gauge.builder(prefix + ".size.bytes", logSize, AtomicLong::get)
        .description("Bytes of the log on disk").register(registry));
    add(Gauge.builder(prefix + ".queued.bytes", queuedBytes, AtomicLong::get)
        .description("Bytes waiting for the writer").register(registry));
  }

  private <M extends Meter> M add(M meter) {
    synchronized (meters) {
      meters.add(meter);
    }
    return meter;
  }

  void refused(String reason, int records) {
    // The usual reasons are registered up front (so they show as 0); another log may have its own.
    refused.computeIfAbsent(reason, r -> add(Counter.builder(prefix + ".refused").tag("reason", r)
        .description("Records the log did not take; the caller was told (503)").register(registry)))
        .increment(records);
  }

  /** Records deleted by age retention before a group read them: loss, not lag, so it has its own count. */
  void expiredUnconsumed(String group, long records) {
    expiredUnconsumed.computeIfAbsent(group, g -> add(Counter.builder(prefix + ".expired.unconsumed.records")
        .tag("group", g).description("Records deleted by age retention before the group consumed them")
        .register(registry))).increment(records);
  }

  void close() {
    synchronized (meters) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }
}
