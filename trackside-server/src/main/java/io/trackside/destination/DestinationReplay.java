package io.trackside.destination;

import io.trackside.log.EventLog;
import io.trackside.log.LogConsumer;
import io.trackside.log.StoredRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replay for one destination, in the background with progress: either its pending dead letters
 * (after the cause is fixed: a wrong token, a mapping the operator corrected) or the events
 * received in a time range, read again from the enriched log (after an outage outlived the
 * retries, or to fill a newly added destination). Events go through the same consent check,
 * mapping, retries and dead-letter path as live ones; platforms deduplicate on the stable event id.
 */
final class DestinationReplay implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(DestinationReplay.class);
  private static final int PAGE = 500;

  final String jobId;
  final String destination;
  final String mode;
  final Instant from;
  final Instant to;
  private final Delivery delivery;
  private final EventLog enriched;
  private final DeadLetterStore deadLetters;
  final Instant startedAt = Instant.now();
  volatile Instant finishedAt;
  volatile String state = "running";
  volatile String error;
  volatile long total = -1;
  /** Events of the job sent (or filtered, or dead-lettered) so far. */
  final AtomicLong processed = new AtomicLong();
  /** Log records looked at by a time-range replay, in range or not. */
  final AtomicLong scanned = new AtomicLong();
  final AtomicLong delivered = new AtomicLong();
  final AtomicLong deadLettered = new AtomicLong();
  final AtomicLong filtered = new AtomicLong();
  private volatile boolean cancelled;

  DestinationReplay(String jobId, Delivery delivery, EventLog enriched, DeadLetterStore deadLetters, Instant from,
                    Instant to) {
    this.jobId = jobId;
    this.destination = delivery.config().id();
    this.mode = from == null ? "dead_letters" : "time_range";
    this.from = from;
    this.to = to;
    this.delivery = delivery;
    this.enriched = enriched;
    this.deadLetters = deadLetters;
  }

  void cancel() {
    cancelled = true;
  }

  @Override
  public void run() {
    try {
      if (from == null) {
        replayDeadLetters();
      } else {
        replayRange();
      }
      state = cancelled ? "cancelled" : "done";
      log.info("Replay {} to {} {}: {} events, {} delivered, {} dead-lettered again, {} filtered", jobId,
          destination, state, processed.get(), delivered.get(), deadLettered.get(), filtered.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      state = "cancelled";
    } catch (Exception | Error e) {
      state = "failed";
      error = e.toString();
      log.error("Replay {} to {} failed after {} events: {}", jobId, destination, processed.get(), e.toString(), e);
    } finally {
      finishedAt = Instant.now();
    }
  }

  private void replayDeadLetters() throws Exception {
    total = deadLetters.pendingByReason(destination).values().stream().mapToLong(Long::longValue).sum();
    long after = 0;
    while (!cancelled) {
      List<DeadLetterStore.Stored> page = deadLetters.pending(destination, after, PAGE);
      if (page.isEmpty()) {
        return;
      }
      List<DeliveryItem> items = new ArrayList<>(page.size());
      for (DeadLetterStore.Stored stored : page) {
        DeadLetter d = stored.letter();
        items.add(new DeliveryItem(d.logPartition(), d.logOffset(), d.event().getBytes(StandardCharsets.UTF_8)));
        after = stored.id();
      }
      List<DeadLetter> again = settle(items);
      List<Long> done = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i).settled) {
          done.add(page.get(i).id());
        }
      }
      // The new dead letters (same event, new reason) first, then the old rows marked: a crash in
      // between leaves a row to replay twice, never an event without a row.
      deadLetters.add(again);
      deadLetters.markReplayed(done, Instant.now());
      if (done.size() < items.size()) {
        return; // stopping
      }
    }
  }

  private void replayRange() throws Exception {
    List<Integer> all = IntStream.range(0, enriched.partitions()).boxed().toList();
    Map<Integer, Long> ends = new HashMap<>();
    long count = 0;
    for (int p : all) {
      ends.put(p, enriched.endOffset(p));
      count += enriched.endOffset(p);
    }
    total = count; // records to look at (an upper bound: retention may have deleted the oldest)
    try (LogConsumer consumer = enriched.consumer("replay." + destination + "." + jobId, all)) {
      for (int p : all) {
        consumer.seek(p, 0);
      }
      Map<Integer, Long> remaining = new LinkedHashMap<>(ends);
      remaining.values().removeIf(end -> end == 0);
      while (!cancelled && !remaining.isEmpty()) {
        List<StoredRecord> records = consumer.poll(PAGE, Duration.ofMillis(500));
        if (records.isEmpty()) {
          return; // nothing more retained
        }
        List<DeliveryItem> items = new ArrayList<>();
        for (StoredRecord r : records) {
          Long end = remaining.get(r.partition());
          if (end == null || r.offset() >= end) {
            remaining.remove(r.partition());
            continue;
          }
          if (r.offset() + 1 >= end) {
            remaining.remove(r.partition());
          }
          scanned.incrementAndGet();
          if (r.timestampMillis() >= from.toEpochMilli() && r.timestampMillis() < to.toEpochMilli()) {
            items.add(new DeliveryItem(r.partition(), r.offset(), r.value()));
          }
        }
        deadLetters.add(settle(items));
      }
    }
  }

  private List<DeadLetter> settle(List<DeliveryItem> items) throws InterruptedException {
    if (items.isEmpty()) {
      return List.of();
    }
    DestinationMetrics metrics = delivery.metrics();
    List<DeadLetter> dead = delivery.sender().settle(items, () -> cancelled);
    dead.forEach(d -> metrics.deadLettered(d.reason()));
    processed.addAndGet(items.size());
    delivered.addAndGet(items.stream().filter(i -> i.delivered).count());
    deadLettered.addAndGet(dead.size());
    // Live delivery runs alongside and moves the same counters: count filtering by the items.
    filtered.addAndGet(items.stream().filter(i -> i.settled && !i.delivered).count() - dead.size());
    return dead;
  }

  Map<String, Object> status() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("id", jobId);
    s.put("destination", destination);
    s.put("mode", mode);
    if (from != null) {
      s.put("from", from.toString());
      s.put("to", to.toString());
    }
    s.put("state", state);
    s.put("total", total < 0 ? null : total);
    if (from != null) {
      s.put("scanned", scanned.get());
    }
    s.put("processed", processed.get());
    s.put("delivered", delivered.get());
    s.put("deadLettered", deadLettered.get());
    s.put("filtered", filtered.get());
    s.put("startedAt", startedAt.toString());
    s.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
    if (error != null) {
      s.put("error", error);
    }
    return s;
  }
}
