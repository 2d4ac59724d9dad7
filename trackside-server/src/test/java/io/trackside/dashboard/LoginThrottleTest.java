package io.trackside.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  /** A clock the test moves by hand. */
  private static final class HandClock extends Clock {
    Instant now = Instant.parse("2026-11-29T10:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void threeFailuresInTheWindowBlockUntilTheOldestLeavesIt() {
    HandClock clock = new HandClock();
    LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(15), clock);
    assertThat(throttle.admit("10.0.0.1")).isZero(); // 10:00
    clock.now = clock.now.plusSeconds(60);
    assertThat(throttle.admit("10.0.0.1")).isZero(); // 10:01
    assertThat(throttle.admit("10.0.0.1")).isZero(); // 10:01
    // Blocked until 10:15, when the 10:00 failure leaves the window: 14 minutes = 840 s (+1 rounding up).
    assertThat(throttle.admit("10.0.0.1")).isEqualTo(841);
    assertThat(throttle.admit("10.0.0.2")).as("another address is not affected").isZero();
    clock.now = Instant.parse("2026-11-29T10:15:01Z");
    assertThat(throttle.admit("10.0.0.1")).isZero();
  }

  @Test
  void aRightPasswordClearsTheAddressesFailures() {
    LoginThrottle throttle = new LoginThrottle(2, Duration.ofMinutes(15), new HandClock());
    throttle.admit("a");
    throttle.admit("a");
    assertThat(throttle.admit("a")).isPositive();
    throttle.succeeded("a");
    assertThat(throttle.admit("a")).isZero();
  }
}
