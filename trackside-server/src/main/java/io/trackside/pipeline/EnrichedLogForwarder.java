package io.trackside.pipeline;

import io.trackside.destination.EnrichedLogRecords;
import io.trackside.log.EventLog;
import io.trackside.log.LogConsumer;
import io.trackside.log.LogRecord;
import io.trackside.log.StoredRecord;
import io.trackside.warehouse.Warehouse;
import io.trackside.warehouse.LoggedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends the events the warehouse is about to store to the enriched log that destinations read,
 * just before the warehouse commits them — so destinations get exactly the stored events,
 * deduplicated and privacy-filtered the same way.
 *
 * <p>Exactly once: an enriched record keeps the raw log position it came from, and raw partition
 * p goes to enriched partition p. After a crash between this append and the warehouse commit, the
 * writer reads the batch again; events at or below the last raw offset already in enriched
 * partition p are not appended twice.
 *
 * <p>Across nodes (a shared Kafka enriched log, partitions leased): another node may have
 * appended to partition p since this one last wrote it — including a node that appended and died
 * before its warehouse commit. The node that takes p calls {@link #reacquired} before its writer
 * starts, and the tail is read again before the next append to p. The lease's takeover waits for
 * the old owner's fenced write transaction (the append runs inside it), so that read is final
 * and the same rule holds.
 */
public final class EnrichedLogForwarder implements Warehouse.BeforeCommit {
  private static final Logger log = LoggerFactory.getLogger(EnrichedLogForwarder.class);
  private static final Duration APPEND_TIMEOUT = Duration.ofSeconds(30);

  private final EventLog enriched;
  /** Per raw partition, the highest raw offset already in the enriched log (-1: none). */
  private final AtomicLongArray appendedUpTo;
  /** Partitions whose {@link #appendedUpTo} must be read from the log again before use. */
  private final Set<Integer> stale = ConcurrentHashMap.newKeySet();

  public EnrichedLogForwarder(EventLog enriched, int rawPartitions) throws InterruptedException {
    if (enriched.partitions() != rawPartitions) {
      throw new IllegalArgumentException("the enriched log has " + enriched.partitions() + " partitions and the"
          + " event log " + rawPartitions + "; they must match (move " + "the enriched log aside to rebuild it)");
    }
    this.enriched = enriched;
    this.appendedUpTo = new AtomicLongArray(rawPartitions);
    for (int p = 0; p < rawPartitions; p++) {
      appendedUpTo.set(p, lastRawOffset(p));
    }
  }

  /**
   * This node (re)takes these partitions, and others may have appended to them meanwhile: their
   * tails are read again before the next append to them. Lazily, so that an unreachable log
   * fails a write (which the writer retries) rather than the takeover.
   */
  public void reacquired(Collection<Integer> partitions) {
    stale.addAll(partitions);
  }

  private void refreshStale(List<LoggedEvent> fresh) {
    if (stale.isEmpty()) {
      return;
    }
    for (LoggedEvent logged : fresh) {
      int p = logged.logPartition();
      if (stale.contains(p)) {
        try {
          appendedUpTo.set(p, lastRawOffset(p));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while reading the enriched log's tail", e);
        }
        stale.remove(p);
      }
    }
  }

  private long lastRawOffset(int partition) throws InterruptedException {
    long end = enriched.endOffset(partition);
    if (end == 0) {
      return -1;
    }
    try (LogConsumer tail = enriched.consumer("enriched-tail", List.of(partition))) {
      tail.seek(partition, end - 1);
      List<StoredRecord> last = tail.poll(1, Duration.ofSeconds(5));
      if (last.isEmpty()) {
        return -1; // deleted by retention meanwhile: then nothing of it can be read again either
      }
      long offset = EnrichedLogRecords.rawOffset(last.get(0).value());
      log.debug("enriched partition {} ends with raw offset {}", partition, offset);
      return offset;
    }
  }

  @Override
  public void accept(List<LoggedEvent> fresh) {
    refreshStale(fresh);
    List<LogRecord> records = new ArrayList<>(fresh.size());
    long[] highest = new long[appendedUpTo.length()];
    java.util.Arrays.fill(highest, -1);
    for (LoggedEvent logged : fresh) {
      int p = logged.logPartition();
      if (logged.logOffset() <= appendedUpTo.get(p)) {
        continue; // appended before a crash or a failed commit; the warehouse is catching up
      }
      records.add(new LogRecord(null, logged.event().receivedAt().toEpochMilli(),
          EnrichedLogRecords.encode(logged.enriched(), p, logged.logOffset()), p));
      highest[p] = Math.max(highest[p], logged.logOffset());
    }
    if (records.isEmpty()) {
      return;
    }
    try {
      enriched.append(records).get(APPEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while appending to the enriched log", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("appending " + records.size() + " events to the enriched log for destinations"
          + " failed: " + cause.getMessage(), cause);
    }
    for (int p = 0; p < highest.length; p++) {
      if (highest[p] >= 0) {
        appendedUpTo.accumulateAndGet(p, highest[p], Math::max);
      }
    }
  }
}
