package io.trackside.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A consumer of the embedded log: one cursor per assigned partition, positions start at the group's commits. */
final class EmbeddedLogConsumer implements LogConsumer {
  private final EmbeddedEventLog log;
  private final String group;
  private final Map<Integer, PartitionCursor> cursors = new TreeMap<>();
  private final PartitionCursor[] order;
  /** Where the next poll starts, so one busy partition cannot starve the others. */
  private int turn;
  private boolean closed;

  EmbeddedLogConsumer(EmbeddedEventLog log, String group, Collection<Integer> partitions,
                      PartitionLog[] partitionLogs, OffsetStore offsets) {
    this.log = log;
    this.group = group;
    for (int partition : partitions) {
      if (partition < 0 || partition >= partitionLogs.length) {
        throw new IllegalArgumentException("no partition " + partition + "; the log has " + partitionLogs.length);
      }
      cursors.put(partition, new PartitionCursor(partitionLogs[partition], group,
          offsets.committed(group, partition)));
    }
    order = cursors.values().toArray(new PartitionCursor[0]);
  }

  @Override
  public List<StoredRecord> poll(int maxRecords, Duration timeout) throws InterruptedException {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be >= 1, was " + maxRecords);
    }
    checkOpen();
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before polling the event log");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<StoredRecord> out = new ArrayList<>(Math.min(maxRecords, 1024));
    while (true) {
      long generation = log.signal().generation();
      readAvailable(maxRecords, out);
      if (!out.isEmpty() || log.isClosed()) {
        return out;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return out;
      }
      log.signal().await(generation, left);
    }
  }

  /** Two passes: first a fair share from each partition, then whatever room is left. */
  private void readAvailable(int maxRecords, List<StoredRecord> out) throws InterruptedException {
    if (order.length == 0) {
      return;
    }
    int share = Math.max(1, maxRecords / order.length);
    int first = turn;
    turn = (turn + 1) % order.length;
    for (int pass = 0; pass < 2 && out.size() < maxRecords; pass++) {
      for (int i = 0; i < order.length && out.size() < maxRecords; i++) {
        int want = pass == 0 ? Math.min(share, maxRecords - out.size()) : maxRecords - out.size();
        read(order[(first + i) % order.length], want, out);
      }
    }
  }

  private void read(PartitionCursor cursor, int max, List<StoredRecord> out) throws InterruptedException {
    try {
      cursor.read(max, out);
    } catch (ClosedByInterruptException e) {
      cursor.closeChannel();
      Thread.interrupted();
      InterruptedException interrupted = new InterruptedException("interrupted while reading the event log");
      interrupted.initCause(e);
      throw interrupted;
    } catch (IOException e) {
      cursor.closeChannel();
      throw new UncheckedIOException("cannot read the event log", e);
    }
  }

  @Override
  public void seek(int partition, long offset) {
    checkOpen();
    cursor(partition).seek(offset);
  }

  @Override
  public void commit(Map<Integer, Long> nextOffsets) {
    checkOpen();
    for (Map.Entry<Integer, Long> entry : nextOffsets.entrySet()) {
      cursor(entry.getKey());
      if (entry.getValue() == null || entry.getValue() < 0) {
        throw new IllegalArgumentException("bad offset for partition " + entry.getKey() + ": " + entry.getValue());
      }
    }
    try {
      log.offsets().commit(group, nextOffsets);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit offsets of group " + group, e);
    }
  }

  private PartitionCursor cursor(int partition) {
    PartitionCursor cursor = cursors.get(partition);
    if (cursor == null) {
      throw new IllegalArgumentException("partition " + partition + " is not assigned to this consumer: "
          + cursors.keySet());
    }
    return cursor;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("consumer closed");
    }
  }

  @Override
  public void close() {
    closed = true;
    for (PartitionCursor cursor : order) {
      cursor.closeChannel();
    }
  }
}
