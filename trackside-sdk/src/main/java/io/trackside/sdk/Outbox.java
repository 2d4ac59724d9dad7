package io.trackside.sdk;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between the application's threads and the one sender thread, and the
 * counters of what became of each event.
 *
 * <p>One lock for both, held for a few instructions at a time: {@link #offer} never waits for
 * space (a full queue refuses at once), and because the counters change under the same lock as
 * the queue, {@link #stats()} always adds up and {@link #flush} knows exactly which events came
 * before it — events complete in queue order, so "everything accepted before the call" is
 * "until {@code completed} reaches {@code accepted} as it was then".
 */
final class Outbox {
  enum Offer { ACCEPTED, FULL, CLOSED }

  enum Refusal { OVERSIZE, INVALID }

  /** A queued event and when it arrived (a batch leaves at the latest flushInterval after its oldest). */
  record Queued(Message message, long enqueuedAt) {
  }

  private final ReentrantLock lock = new ReentrantLock();
  /** The sender waits on this for events, a flush or close. */
  private final Condition work = lock.newCondition();
  /** flush() waits on this for events to complete. */
  private final Condition progress = lock.newCondition();

  private final ArrayDeque<Queued> items = new ArrayDeque<>();
  private final int maxEvents;
  private final long maxBytes;
  private long queuedBytes;
  private boolean closing;

  /** What the waiting sender needs before it wakes (it is not woken for every event). */
  private int wakeAtCount = Integer.MAX_VALUE;
  private long wakeAtBytes = Long.MAX_VALUE;

  private long accepted;
  private long completed;
  /** While completed is below this, someone waits in flush(): send what there is now. */
  private long flushUpTo;

  private long enqueued;
  private long sent;
  private long retried;
  private long droppedQueueFull;
  private long droppedOversize;
  private long droppedInvalid;
  private long droppedClosed;
  private long rejected;
  private long givenUp;
  private long requests;

  Outbox(int maxEvents, long maxBytes) {
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
  }

  Offer offer(Message message) {
    int size = message.bytes().length;
    lock.lock();
    try {
      enqueued++;
      if (closing) {
        droppedClosed++;
        return Offer.CLOSED;
      }
      if (items.size() >= maxEvents || queuedBytes + size > maxBytes) {
        droppedQueueFull++;
        return Offer.FULL;
      }
      items.addLast(new Queued(message, System.nanoTime()));
      queuedBytes += size;
      accepted++;
      if (items.size() >= wakeAtCount || queuedBytes >= wakeAtBytes) {
        work.signal();
      }
      return Offer.ACCEPTED;
    } finally {
      lock.unlock();
    }
  }

  /** Counts an event refused before it reached the queue. */
  void refuse(Refusal reason) {
    lock.lock();
    try {
      enqueued++;
      if (reason == Refusal.OVERSIZE) {
        droppedOversize++;
      } else {
        droppedInvalid++;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until a batch should leave: enough events for a full one (by count or bytes), the
   * oldest has waited {@code maxWaitNanos}, a flush waits, or the client is closing.
   *
   * @return false when the client is closing and nothing is left: the sender's work is done
   */
  boolean awaitBatch(int batchCount, long batchBytes, long maxWaitNanos) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        if (items.isEmpty()) {
          if (closing) {
            return false;
          }
          wakeAtCount = 1;
          wakeAtBytes = Long.MAX_VALUE;
          work.await();
          continue;
        }
        long waited = System.nanoTime() - items.peekFirst().enqueuedAt();
        if (closing || completed < flushUpTo || items.size() >= batchCount || queuedBytes >= batchBytes
            || waited >= maxWaitNanos) {
          wakeAtCount = Integer.MAX_VALUE;
          wakeAtBytes = Long.MAX_VALUE;
          return true;
        }
        wakeAtCount = batchCount;
        wakeAtBytes = batchBytes;
        work.awaitNanos(maxWaitNanos - waited);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the oldest events, as many as fit: at most {@code maxCount}, and their bytes plus one
   * separator each at most {@code maxBytes}. Always at least one (a single event is never over
   * the request limit: oversize events never got in).
   */
  List<Message> take(int maxCount, long maxBytes) {
    lock.lock();
    try {
      List<Message> batch = new ArrayList<>(Math.min(maxCount, items.size()));
      long bytes = 0;
      while (!items.isEmpty() && batch.size() < maxCount) {
        Message next = items.peekFirst().message();
        int size = next.bytes().length + 1;
        if (!batch.isEmpty() && bytes + size > maxBytes) {
          break;
        }
        items.removeFirst();
        queuedBytes -= next.bytes().length;
        bytes += size;
        batch.add(next);
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  /** The server acknowledged a batch. */
  void sent(int events) {
    complete(events, () -> {
      sent += events;
      requests++;
    });
  }

  /** The server refused a batch for good (400 and the like). */
  void rejected(int events) {
    complete(events, () -> rejected += events);
  }

  /** No more attempts for a batch. */
  void gaveUp(int events) {
    complete(events, () -> givenUp += events);
  }

  void retrying(int events) {
    lock.lock();
    try {
      retried += events;
    } finally {
      lock.unlock();
    }
  }

  private void complete(int events, Runnable count) {
    lock.lock();
    try {
      count.run();
      completed += events;
      progress.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Gives up everything still queued (close ran out of time). */
  void abandonQueued() {
    lock.lock();
    try {
      int n = items.size();
      items.clear();
      queuedBytes = 0;
      givenUp += n;
      completed += n;
      progress.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Sends what is queued without waiting for full batches, and waits until every event accepted
   * before this call is sent, rejected or given up.
   *
   * @return true when they all were within the time; false if some are still pending
   */
  boolean flush(long maxWaitNanos) throws InterruptedException {
    lock.lock();
    try {
      long target = accepted;
      if (completed >= target) {
        return true;
      }
      flushUpTo = Math.max(flushUpTo, target);
      work.signal();
      long left = maxWaitNanos;
      while (completed < target) {
        if (left <= 0) {
          return false;
        }
        left = progress.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** From now on nothing is accepted; the sender sends what is left and stops. */
  void close() {
    lock.lock();
    try {
      closing = true;
      work.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until everything accepted is done (used by close, which then stops the sender). */
  boolean awaitDrained(long maxWaitNanos) throws InterruptedException {
    lock.lock();
    try {
      long left = maxWaitNanos;
      while (completed < accepted) {
        if (left <= 0) {
          return false;
        }
        left = progress.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  Stats stats() {
    lock.lock();
    try {
      return new Stats(enqueued, sent, retried, droppedQueueFull, droppedOversize, droppedInvalid, droppedClosed,
          rejected, givenUp, requests, accepted - completed);
    } finally {
      lock.unlock();
    }
  }
}
