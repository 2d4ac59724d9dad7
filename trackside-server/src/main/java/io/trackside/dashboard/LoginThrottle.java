package io.trackside.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Slows password guessing: per client address, at most {@code maxFailures} wrong passwords
 * within {@code window}; after that every attempt from there is refused (429) until the oldest
 * failure leaves the window — even with the right password, so a guesser learns nothing. Each
 * wrong password is also answered late ({@link #FAILURE_DELAY}) by the caller.
 *
 * <p>An attempt counts as failed from the moment it is admitted ({@link #admit}) until it turns out
 * right ({@link #succeeded}): otherwise a guesser sending a thousand attempts at once would have
 * them all checked before the first failure was counted.
 */
final class LoginThrottle {
  /** How late a wrong password is answered: a scripted guesser gets one try a second per connection. */
  static final Duration FAILURE_DELAY = Duration.ofSeconds(1);
  /** Addresses remembered at most; beyond it the longest-quiet one is forgotten. */
  private static final int MAX_ADDRESSES = 10_000;

  private final int maxFailures;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Deque<Instant>> failures = new LinkedHashMap<>(16, 0.75f, true);

  LoginThrottle(int maxFailures, Duration window) {
    this(maxFailures, window, Clock.systemUTC());
  }

  LoginThrottle(int maxFailures, Duration window, Clock clock) {
    this.maxFailures = maxFailures;
    this.window = window;
    this.clock = clock;
  }

  /**
   * Admits an attempt from this address (0: go ahead; it counts as a failure unless
   * {@link #succeeded} follows), or says how many seconds until it may try again.
   */
  synchronized long admit(String address) {
    Deque<Instant> recent = recent(address);
    if (recent != null && recent.size() >= maxFailures) {
      Duration left = Duration.between(clock.instant(), recent.peekFirst().plus(window));
      return Math.max(1, left.toSeconds() + 1);
    }
    record(address);
    return 0;
  }

  private void record(String address) {
    Deque<Instant> recent = failures.computeIfAbsent(key(address), a -> new ArrayDeque<>());
    recent.addLast(clock.instant());
    while (recent.size() > maxFailures) {
      recent.removeFirst();
    }
    if (failures.size() > MAX_ADDRESSES) {
      failures.remove(failures.keySet().iterator().next());
    }
  }

  synchronized void succeeded(String address) {
    failures.remove(key(address));
  }

  private Deque<Instant> recent(String address) {
    Deque<Instant> recent = failures.get(key(address));
    if (recent == null) {
      return null;
    }
    Instant cutoff = clock.instant().minus(window);
    while (!recent.isEmpty() && recent.peekFirst().isBefore(cutoff)) {
      recent.removeFirst();
    }
    if (recent.isEmpty()) {
      failures.remove(key(address));
      return null;
    }
    return recent;
  }

  private static String key(String address) {
    return address == null ? "?" : address;
  }
}
