package io.trackside.destination;

import java.time.Duration;

/**
 * Stops a destination from hammering a platform that is down. Closed: requests go out. After
 * {@code threshold} failures in a row it opens: nothing goes out until the cool-down has passed,
 * then one request probes (half-open); its success closes the breaker, its failure opens it again
 * for twice as long (up to {@code maxCoolDown}). Requests that are refused simply wait — their
 * events stay in the log — so an outage costs lag, never events.
 */
final class CircuitBreaker {
  enum State { CLOSED, OPEN, HALF_OPEN }

  private final int threshold;
  private final Duration firstCoolDown;
  private final Duration maxCoolDown;
  private State state = State.CLOSED;
  private int failuresInARow;
  private long openUntilNanos;
  private Duration coolDown;
  private boolean probing;

  CircuitBreaker(int threshold, Duration firstCoolDown, Duration maxCoolDown) {
    this.threshold = threshold;
    this.firstCoolDown = firstCoolDown;
    this.maxCoolDown = maxCoolDown;
    this.coolDown = firstCoolDown;
  }

  /** Waits until a request may go out; false if interrupted by {@code stopping}. */
  synchronized boolean acquire(java.util.function.BooleanSupplier stopping) throws InterruptedException {
    while (!stopping.getAsBoolean()) {
      long now = System.nanoTime();
      switch (state) {
        case CLOSED:
          return true;
        case OPEN:
          if (now - openUntilNanos >= 0) {
            state = State.HALF_OPEN;
            probing = true;
            return true;
          }
          wait(Math.max(1, Math.min(500, (openUntilNanos - now) / 1_000_000)));
          break;
        case HALF_OPEN:
          if (!probing) {
            probing = true;
            return true;
          }
          wait(500);
          break;
        default:
          throw new IllegalStateException();
      }
    }
    return false;
  }

  /** True (acquired) only while closed, never waiting: the path that sends without a thread per request. */
  synchronized boolean tryAcquireClosed() {
    return state == State.CLOSED;
  }

  synchronized void success() {
    failuresInARow = 0;
    probing = false;
    coolDown = firstCoolDown;
    if (state != State.CLOSED) {
      state = State.CLOSED;
      notifyAll();
    }
  }

  synchronized void failure() {
    failuresInARow++;
    if (state == State.HALF_OPEN) {
      probing = false;
      coolDown = coolDown.multipliedBy(2).compareTo(maxCoolDown) > 0 ? maxCoolDown : coolDown.multipliedBy(2);
      open();
    } else if (state == State.CLOSED && failuresInARow >= threshold) {
      open();
    }
  }

  /** A request that ended without an answer about the platform's health (stopping): lets another probe. */
  synchronized void release() {
    if (state == State.HALF_OPEN) {
      probing = false;
      notifyAll();
    }
  }

  private void open() {
    state = State.OPEN;
    openUntilNanos = System.nanoTime() + coolDown.toNanos();
  }

  synchronized State state() {
    return state;
  }

  synchronized void wake() {
    notifyAll();
  }
}
