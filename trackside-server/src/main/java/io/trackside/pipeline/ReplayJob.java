package io.trackside.pipeline;

import io.trackside.warehouse.QuarantineFilter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One run of {@link QuarantineReplay}: its filter and its progress, read by the API while the
 * job's thread updates it (so every read and update is synchronized; both are rare).
 *
 * <p>Every processed row ends in exactly one of: {@code passed} (written to the events table,
 * row removed), {@code duplicates} (the event was already stored, row removed), {@code dropped}
 * (the pipeline now drops it, for example a suppressed person; row removed), {@code stillFailing}
 * (row kept, with the reason found now, counted in {@code byReason}).
 */
public final class ReplayJob {

  public enum State {
    RUNNING, DONE, FAILED, STOPPED
  }

  private final String id;
  private final QuarantineFilter filter;
  private final Integer limit;
  private final Instant startedAt;
  private State state = State.RUNNING;
  private long total;
  private long processed;
  private long passed;
  private long duplicates;
  private long dropped;
  private long stillFailing;
  private final Map<String, Long> byReason = new TreeMap<>();
  private Instant finishedAt;
  private String error;

  ReplayJob(String id, QuarantineFilter filter, Integer limit, Instant startedAt) {
    this.id = id;
    this.filter = filter;
    this.limit = limit;
    this.startedAt = startedAt;
  }

  public String id() {
    return id;
  }

  public QuarantineFilter filter() {
    return filter;
  }

  public synchronized State state() {
    return state;
  }

  synchronized void total(long total) {
    this.total = total;
  }

  synchronized void count(long passed, long duplicates, long dropped, Map<String, Long> stillFailingByReason) {
    this.passed += passed;
    this.duplicates += duplicates;
    this.dropped += dropped;
    long failing = 0;
    for (Map.Entry<String, Long> e : stillFailingByReason.entrySet()) {
      byReason.merge(e.getKey(), e.getValue(), Long::sum);
      failing += e.getValue();
    }
    this.stillFailing += failing;
    this.processed += passed + duplicates + dropped + failing;
  }

  synchronized void finish(State state, String error) {
    this.state = state;
    this.error = error;
    this.finishedAt = Instant.now();
  }

  /** A consistent snapshot for the API: {jobId, state, total, processed, passed, stillFailing, byReason, ...}. */
  public synchronized Map<String, Object> status() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("jobId", id);
    out.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
    Map<String, Object> filters = new LinkedHashMap<>();
    filters.put("reason", filter.reason());
    filters.put("source", filter.source());
    filters.put("since", filter.since() == null ? null : filter.since().toString());
    filters.put("until", filter.until() == null ? null : filter.until().toString());
    filters.put("limit", limit);
    out.put("filters", filters);
    out.put("total", total);
    out.put("processed", processed);
    out.put("passed", passed);
    out.put("duplicates", duplicates);
    out.put("dropped", dropped);
    out.put("stillFailing", stillFailing);
    out.put("byReason", new LinkedHashMap<>(byReason));
    out.put("startedAt", startedAt.toString());
    out.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
    out.put("error", error);
    return out;
  }
}
