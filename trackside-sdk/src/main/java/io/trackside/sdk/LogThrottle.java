package io.trackside.sdk;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one log line per interval for a repeating problem (a full queue drops thousands of
 * events a second; the log should say so once, with how many, not thousands of times).
 */
final class LogThrottle {
  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  LogThrottle(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /**
   * @return -1 when this occurrence should not be logged, else how many were not logged since
   *         the last line
   */
  long occurrence() {
    long now = System.nanoTime();
    long next = nextAllowed.get();
    if ((next == Long.MIN_VALUE || now - next >= 0) && nextAllowed.compareAndSet(next, now + intervalNanos)) {
      return suppressed.getAndSet(0);
    }
    suppressed.incrementAndGet();
    return -1;
  }
}
