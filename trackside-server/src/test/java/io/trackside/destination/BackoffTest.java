package io.trackside.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void growsWithJitterUpToItsMaximum() {
    Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(8));
    for (int i = 0; i < 200; i++) {
      long first = backoff.delay(1, null).toMillis();
      long fourth = backoff.delay(4, null).toMillis();
      long late = backoff.delay(30, null).toMillis();
      assertTrue(first >= 250 && first <= 500, "first " + first);
      assertTrue(fourth >= 2_000 && fourth <= 4_000, "fourth " + fourth);
      assertTrue(late >= 4_000 && late <= 8_000, "capped " + late);
    }
  }

  @Test
  void retryAfterIsHonouredUpToAnHour() {
    Instant now = Instant.parse("2026-11-29T10:00:00Z");
    assertEquals(Duration.ofMinutes(30), Backoff.DEFAULT.delay(1, Backoff.retryAfter("1800", now)));
    assertEquals(Duration.ofHours(1), Backoff.retryAfter("86400", now));
    assertEquals(Duration.ofSeconds(90), Backoff.retryAfter("Sun, 29 Nov 2026 10:01:30 GMT", now));
    assertNull(Backoff.retryAfter("soon", now));
    assertNull(Backoff.retryAfter(null, now));
  }
}
