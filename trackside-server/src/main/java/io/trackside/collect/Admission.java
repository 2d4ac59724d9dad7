package io.trackside.collect;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts requests between arrival and answer so a graceful shutdown can stop taking new ones
 * (they get 503 and retry elsewhere or later) and wait until those already in flight have their
 * durable answer.
 */
public final class Admission {
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();

  boolean tryEnter() {
    inFlight.incrementAndGet();
    if (closed.get()) {
      inFlight.decrementAndGet();
      return false;
    }
    return true;
  }

  void exit() {
    inFlight.decrementAndGet();
  }

  public boolean closed() {
    return closed.get();
  }

  /** Stops admitting, then waits up to the timeout for in-flight requests; returns how many remain. */
  public int closeAndDrain(long timeout, TimeUnit unit) throws InterruptedException {
    closed.set(true);
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return inFlight.get();
  }
}
