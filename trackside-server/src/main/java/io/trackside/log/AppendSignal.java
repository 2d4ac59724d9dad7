package io.trackside.log;

/**
 * Wakes waiting consumers when the writer publishes new records. A generation counter avoids lost
 * wake-ups: a consumer notes the generation before reading and only waits if it is unchanged.
 */
final class AppendSignal {
  private long generation;
  private int waiters;

  synchronized long generation() {
    return generation;
  }

  synchronized void fire() {
    generation++;
    if (waiters > 0) {
      notifyAll();
    }
  }

  /** Waits until the generation moves past {@code seen} or the time is up. */
  synchronized void await(long seen, long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    waiters++;
    try {
      while (generation == seen) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        wait(Math.max(1, left / 1_000_000), 0);
      }
    } finally {
      waiters--;
    }
  }
}
