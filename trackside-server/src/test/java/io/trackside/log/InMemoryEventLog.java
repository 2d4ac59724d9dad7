package io.trackside.log;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A test double of {@link EventLog} that keeps records in memory and follows its contracts
 * (checked by {@link InMemoryEventLogContractTest}, the suite the real logs pass): a record goes
 * to the partition it names, else its key always maps to one partition; offsets increase per
 * partition from 0, committed positions are per group and partition, and poll waits up to its
 * timeout for records.
 */
public final class InMemoryEventLog implements EventLog {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition appended = lock.newCondition();
  private final List<List<StoredRecord>> partitions = new ArrayList<>();
  private final Map<String, Map<Integer, Long>> committed = new HashMap<>();
  private boolean closed;

  public InMemoryEventLog(int partitionCount) {
    for (int i = 0; i < partitionCount; i++) {
      partitions.add(new ArrayList<>());
    }
  }

  @Override
  public int partitions() {
    return partitions.size();
  }

  public int partitionFor(String key) {
    return Math.floorMod(key == null ? 0 : key.hashCode(), partitions.size());
  }

  @Override
  public CompletableFuture<Void> append(List<LogRecord> records) {
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(new LogUnavailableException("closed", "log is closed", 1));
      }
      try {
        LogRecord.checkedBytes(records, partitions.size(), r -> r.value().length);
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(e);
      }
      for (LogRecord r : records) {
        appendLocked(r.partition() >= 0 ? r.partition() : partitionFor(r.key()), r.timestampMillis(), r.value());
      }
      appended.signalAll();
      return CompletableFuture.completedFuture(null);
    } finally {
      lock.unlock();
    }
  }

  /** Appends raw bytes to a chosen partition, for tests that need exact placement. */
  public long appendTo(int partition, long timestampMillis, byte[] value) {
    lock.lock();
    try {
      long offset = appendLocked(partition, timestampMillis, value);
      appended.signalAll();
      return offset;
    } finally {
      lock.unlock();
    }
  }

  private long appendLocked(int partition, long timestampMillis, byte[] value) {
    List<StoredRecord> records = partitions.get(partition);
    long offset = records.size();
    records.add(new StoredRecord(partition, offset, timestampMillis, value));
    return offset;
  }

  @Override
  public LogConsumer consumer(String group, Collection<Integer> assigned) {
    assigned.forEach(this::checkPartition);
    return new Consumer(group, List.copyOf(assigned));
  }

  private void checkPartition(int partition) {
    if (partition < 0 || partition >= partitions.size()) {
      throw new IllegalArgumentException("partition " + partition + " is not in 0.." + (partitions.size() - 1));
    }
  }

  @Override
  public long endOffset(int partition) {
    checkPartition(partition);
    lock.lock();
    try {
      return partitions.get(partition).size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean hasCommitted(String group) {
    lock.lock();
    try {
      return committed.containsKey(group);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean hasCommitted(String group, int partition) {
    lock.lock();
    try {
      return committed.getOrDefault(group, Map.of()).containsKey(partition);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long committedOffset(String group, int partition) {
    checkPartition(partition);
    lock.lock();
    try {
      return committed.getOrDefault(group, Map.of()).getOrDefault(partition, 0L);
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a group's commits, as if they had never reached the disk. */
  public void forgetCommits(String group) {
    lock.lock();
    try {
      committed.remove(group);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long sizeBytes() {
    lock.lock();
    try {
      return partitions.stream().flatMap(List::stream).mapToLong(r -> r.value().length).sum();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String problem() {
    return null;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      appended.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private final class Consumer implements LogConsumer {
    private final String group;
    private final List<Integer> assigned;
    private final Map<Integer, Long> positions = new HashMap<>();
    private int next; // round-robin start, so one busy partition cannot starve the others

    Consumer(String group, List<Integer> assigned) {
      this.group = group;
      this.assigned = assigned;
      for (int p : assigned) {
        positions.put(p, committedOffset(group, p));
      }
    }

    @Override
    public List<StoredRecord> poll(int maxRecords, Duration timeout) throws InterruptedException {
      if (maxRecords < 1) {
        throw new IllegalArgumentException("maxRecords must be at least 1");
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      lock.lock();
      try {
        while (true) {
          List<StoredRecord> out = new ArrayList<>();
          for (int i = 0; i < assigned.size() && out.size() < maxRecords; i++) {
            int p = assigned.get((next + i) % assigned.size());
            List<StoredRecord> records = partitions.get(p);
            long position = positions.get(p);
            while (position < records.size() && out.size() < maxRecords) {
              out.add(records.get((int) position++));
            }
            positions.put(p, position);
          }
          next++;
          long left = deadline - System.nanoTime();
          if (!out.isEmpty() || left <= 0 || closed) {
            return out;
          }
          appended.awaitNanos(left);
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void seek(int partition, long offset) {
      if (!assigned.contains(partition) || offset < 0) {
        throw new IllegalArgumentException("partition " + partition + " is not assigned or offset " + offset + " < 0");
      }
      positions.put(partition, offset);
    }

    @Override
    public void commit(Map<Integer, Long> nextOffsets) {
      nextOffsets.forEach((partition, offset) -> {
        if (!assigned.contains(partition) || offset == null || offset < 0) {
          throw new IllegalArgumentException("cannot commit " + offset + " for partition " + partition);
        }
      });
      lock.lock();
      try {
        committed.computeIfAbsent(group, g -> new HashMap<>()).putAll(nextOffsets);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() {
    }
  }
}
