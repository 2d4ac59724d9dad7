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

  /** Seconds until this address may try again, 0 when it may now. */
  synchronized long blockedForSeconds(String address) {
    Deque<Instant> recent = recent(address);
    if (recent == null || recent.size() < maxFailures) {
      return 0;
    }
    Duration left = Duration.between(clock.instant(), recent.peekFirst().plus(window));
    return Math.max(1, left.toSeconds() + 1);
  }

  synchronized void failed(String address) {
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
