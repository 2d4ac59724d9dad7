package io.trackside.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer thread and its group commit: it takes everything queued since its last turn,
 * writes it, fsyncs each touched partition once, publishes the new ends, and only then completes
 * the callers' futures. While it fsyncs, new appends queue up and form the next group, so the
 * number of fsyncs follows the disk's speed, not the number of callers.
 *
 * <p>The queue lock is held only to add or swap a list, never during I/O, so append() does not
 * wait for the disk. Futures are completed on a separate thread so that a caller's slow callback
 * cannot hold up the next group.
 */
final class LogWriter implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(LogWriter.class);
  static final int RETRY_AFTER_SECONDS = 5;

  private final PartitionWriter[] writers;
  private final PartitionWriter[] touched;
  private final AtomicLong queuedBytes;
  private final AtomicLong logSize;
  private final AppendSignal signal;
  private final LogMetrics metrics;
  private final DiskSpaceGuard disk;
  private final ExecutorService completer;
  private final ExecutorService syncers;
  private final Thread thread;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private ArrayList<PendingAppend> queue = new ArrayList<>();
  private boolean closed;

  private int roundRobin;
  /** Why the last group failed, until a group succeeds again; read by problem(). */
  private volatile String lastFailure;

  LogWriter(PartitionWriter[] writers, AtomicLong queuedBytes, AtomicLong logSize, AppendSignal signal,
            LogMetrics metrics, DiskSpaceGuard disk, String threadPrefix, Runnable onThreadStart) {
    this.writers = writers;
    this.touched = new PartitionWriter[writers.length];
    this.queuedBytes = queuedBytes;
    this.logSize = logSize;
    this.signal = signal;
    this.metrics = metrics;
    this.disk = disk;
    this.completer = Executors.newSingleThreadExecutor(runnable -> {
      Thread t = new Thread(() -> {
        onThreadStart.run();
        runnable.run();
      }, threadPrefix + "-ack");
      t.setDaemon(true);
      return t;
    });
    // Never interrupted (an interrupt would close the partition's channel): stopped with shutdown().
    this.syncers = Executors.newFixedThreadPool(Math.max(1, writers.length - 1), runnable -> {
      Thread t = new Thread(() -> {
        onThreadStart.run();
        runnable.run();
      }, threadPrefix + "-fsync");
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(() -> {
      onThreadStart.run();
      run();
    }, threadPrefix + "-writer");
    // Daemon: acknowledged records are already durable, so an exit without close() loses nothing promised.
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Queues an append; false once closing. Never waits for I/O. */
  boolean submit(PendingAppend append) {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      queue.add(append);
      if (queue.size() == 1) {
        notEmpty.signal();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  String lastFailure() {
    return lastFailure;
  }

  @Override
  public void run() {
    while (true) {
      List<PendingAppend> batch;
      boolean closing;
      lock.lock();
      try {
        while (queue.isEmpty() && !closed) {
          notEmpty.awaitUninterruptibly();
        }
        closing = closed;
        batch = queue;
        queue = new ArrayList<>(Math.max(16, batch.size()));
      } finally {
        lock.unlock();
      }
      if (batch.isEmpty()) {
        if (closing) {
          return;
        }
        continue;
      }
      try {
        writeGroup(batch);
      } catch (Throwable t) {
        // A bug must not stop the writer: fail this group's callers and carry on.
        log.error("event log writer failed unexpectedly", t);
        fail(batch, new LogUnavailableException("io_error", "event log writer failed: " + t, RETRY_AFTER_SECONDS, t));
      }
    }
  }

  private void writeGroup(List<PendingAppend> batch) {
    int touchedCount = 0;
    int records = 0;
    long bytes = 0;
    try {
      for (PendingAppend append : batch) {
        for (LogRecord record : append.records()) {
          PartitionWriter writer = writers[partitionOf(record)];
          if (!writer.inGroup()) {
            writer.begin();
            touched[touchedCount++] = writer;
          }
          writer.append(record);
        }
        records += append.records().size();
        bytes += append.bytes();
      }
      for (int i = 0; i < touchedCount; i++) {
        touched[i].flush();
      }
      long start = System.nanoTime();
      syncAll(touchedCount);
      metrics.fsync.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      for (int i = 0; i < touchedCount; i++) {
        touched[i].commit();
        touched[i] = null;
      }
    } catch (Exception | Error e) {
      // Whatever went wrong, undo the group on disk so offsets stay contiguous and nothing unacknowledged is read.
      for (int i = 0; i < touchedCount; i++) {
        touched[i].rollback();
        touched[i] = null;
      }
      disk.refresh(logSize.get());
      String reason = isDiskFull(e) ? "disk_full" : "io_error";
      lastFailure = "write failed: " + e.getMessage();
      log.warn("event log write failed ({}), {} appends with {} records refused: {}",
          reason, batch.size(), countRecords(batch), e.toString());
      fail(batch, new LogUnavailableException(reason, "event log cannot write: " + e.getMessage(),
          RETRY_AFTER_SECONDS, e));
      return;
    }
    lastFailure = null;
    queuedBytes.addAndGet(-bytes);
    signal.fire();
    metrics.appendedRecords.increment(records);
    metrics.appendedBytes.increment(bytes);
    metrics.groupCommitRecords.record(records);
    completer.execute(() -> {
      for (PendingAppend append : batch) {
        append.future().complete(null);
      }
    });
  }

  /**
   * Fsyncs the touched partitions in parallel: the filesystem can fold concurrent fsyncs into one
   * journal commit, so a group costs about one fsync instead of one per partition. Waits for all
   * of them even when one fails, so a rollback never races a sync.
   */
  private void syncAll(int touchedCount) throws IOException {
    if (touchedCount == 1) {
      touched[0].sync();
      return;
    }
    List<Future<Void>> others = new ArrayList<>(touchedCount - 1);
    for (int i = 1; i < touchedCount; i++) {
      PartitionWriter writer = touched[i];
      others.add(syncers.submit(() -> {
        writer.sync();
        return null;
      }));
    }
    IOException failure = null;
    try {
      touched[0].sync();
    } catch (IOException e) {
      failure = e;
    }
    boolean interrupted = false;
    for (Future<Void> other : others) {
      while (true) {
        try {
          other.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
          }
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void fail(List<PendingAppend> batch, LogUnavailableException error) {
    long bytes = 0;
    for (PendingAppend append : batch) {
      bytes += append.bytes();
    }
    queuedBytes.addAndGet(-bytes);
    metrics.refused(error.reason(), countRecords(batch));
    completer.execute(() -> {
      for (PendingAppend append : batch) {
        append.future().completeExceptionally(error);
      }
    });
  }

  private static int countRecords(List<PendingAppend> batch) {
    int n = 0;
    for (PendingAppend append : batch) {
      n += append.records().size();
    }
    return n;
  }

  private int partitionOf(LogRecord record) {
    if (record.partition() >= 0) {
      if (record.partition() >= writers.length) {
        throw new IllegalArgumentException("partition " + record.partition() + " of " + writers.length);
      }
      return record.partition();
    }
    String key = record.key();
    if (key == null) {
      roundRobin = (roundRobin + 1) % writers.length;
      return roundRobin;
    }
    return (key.hashCode() & 0x7fffffff) % writers.length;
  }

  private static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && (message.contains("No space left") || message.contains("Disk quota exceeded"))) {
        return true;
      }
    }
    return false;
  }

  /** Stops taking appends, finishes (writes and fsyncs) those already queued, then stops. */
  void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    syncers.shutdown();
    completer.shutdown();
    try {
      completer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    for (PartitionWriter writer : writers) {
      writer.close();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
