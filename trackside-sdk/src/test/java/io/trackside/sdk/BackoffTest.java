package io.trackside.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));

  @Test
  void doublesFromTheInitialWaitUpToTheMaximumWithJitterInTheUpperHalf() {
    long[] steps = {100, 200, 400, 800, 1600, 2000, 2000};
    for (int retry = 1; retry <= steps.length; retry++) {
      long min = Long.MAX_VALUE;
      long max = 0;
      for (int i = 0; i < 500; i++) {
        long d = backoff.delay(retry, null).toMillis();
        min = Math.min(min, d);
        max = Math.max(max, d);
      }
      long step = steps[retry - 1];
      assertThat(min).as("retry %d", retry).isGreaterThanOrEqualTo(step / 2);
      assertThat(max).as("retry %d", retry).isLessThanOrEqualTo(step);
      assertThat(max - min).as("jitter of retry %d", retry).isGreaterThan(step / 5);
    }
    assertThat(backoff.delay(10_000, null).toMillis()).isLessThanOrEqualTo(2000);
  }

  @Test
  void retryAfterIsAMinimumUpToFiveMinutes() {
    assertThat(backoff.delay(1, Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    assertThat(backoff.delay(1, Duration.ofHours(1))).isEqualTo(Backoff.MAX_RETRY_AFTER);
    assertThat(backoff.delay(1, Duration.ZERO).toMillis()).isBetween(50L, 100L);
  }

  @Test
  void parsesRetryAfterSecondsAndHttpDates() {
    assertThat(Backoff.parseRetryAfter("120")).isEqualTo(Duration.ofSeconds(120));
    assertThat(Backoff.parseRetryAfter(" 0 ")).isEqualTo(Duration.ZERO);
    String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
    assertThat(Backoff.parseRetryAfter(inAMinute).toSeconds()).isBetween(55L, 60L);
    assertThat(Backoff.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
    assertThat(Backoff.parseRetryAfter("soon")).isNull();
  }
}
