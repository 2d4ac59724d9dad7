package io.trackside.dashboard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ingest side of promise 2 as the data-quality view shows it, read from the Micrometer
 * counters the collector and the warehouse writer keep: received, stored, quarantined and
 * refused by reason, requests rejected, and events the pipeline dropped. Since the process
 * started (counters are not persisted); the warehouse part of the view covers history.
 */
public final class IngestCounters {
  private final MeterRegistry registry;

  public IngestCounters(MeterRegistry registry) {
    this.registry = registry;
  }

  public Map<String, Object> snapshot() {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("since", "process start");
    answer.put("received", total("trackside.collect.events.received"));
    answer.put("stored", total("trackside.collect.events.stored"));
    putByReason(answer, "quarantined", "trackside.collect.events.quarantined");
    putByReason(answer, "refused", "trackside.collect.events.refused");
    putByReason(answer, "rejectedRequests", "trackside.collect.requests.rejected");
    putByReason(answer, "droppedByPipeline", "trackside.pipeline.dropped");
    putByReason(answer, "quarantinedByWarehouse", "trackside.warehouse.quarantined");
    return answer;
  }

  private long total(String name) {
    double sum = 0;
    for (Counter counter : registry.find(name).counters()) {
      sum += counter.count();
    }
    return Math.round(sum);
  }

  private void putByReason(Map<String, Object> answer, String key, String name) {
    Map<String, Long> byReason = new TreeMap<>();
    for (Counter counter : registry.find(name).counters()) {
      String reason = counter.getId().getTag("reason");
      byReason.merge(reason == null ? "(none)" : reason, Math.round(counter.count()), Long::sum);
    }
    answer.put(key, byReason.values().stream().mapToLong(Long::longValue).sum());
    answer.put(key + "ByReason", byReason);
  }
}
