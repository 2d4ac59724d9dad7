package io.trackside.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trackside.warehouse.StatsScope;
import io.vertx.core.MultiMap;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsParamsTest {
  // 23:30 UTC on 28 November is already 29 November in Berlin.
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T23:30:00Z"), ZoneId.of("UTC"));
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private final StatsParams params = new StatsParams(BERLIN, CLOCK);

  private static MultiMap query(String... pairs) {
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < pairs.length; i += 2) {
      map.add(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  @Test
  void theDefaultIsTheLastThirtyDaysInTheSitesZone() {
    StatsScope scope = params.scope(query());
    assertEquals(LocalDate.of(2026, 10, 31), scope.from());
    assertEquals(LocalDate.of(2026, 11, 29), scope.to());
    assertEquals(30, scope.days());
    assertFalse(scope.includeBots());
    // Midnight in Berlin (UTC+1 in winter) is 23:00 UTC the day before.
    assertEquals(Instant.parse("2026-10-30T23:00:00Z"), scope.start());
    assertEquals(Instant.parse("2026-11-29T23:00:00Z"), scope.end());
  }

  @Test
  void explicitDaysBotsAndFilters() {
    StatsScope scope = params.scope(query("from", "2026-11-01", "to", "2026-11-07", "bots", "include",
        "filter.country", "DE", "filter.channel", "social"));
    assertEquals(7, scope.days());
    assertTrue(scope.includeBots());
    assertEquals(Map.of("country", "DE", "channel", "social"), scope.filters());
    StatsScope previous = scope.previous();
    assertEquals(LocalDate.of(2026, 10, 25), previous.from());
    assertEquals(LocalDate.of(2026, 10, 31), previous.to());
    assertEquals(scope.filters(), previous.filters());
  }

  @Test
  void todayAndYesterday() {
    assertEquals(LocalDate.of(2026, 11, 29), params.scope(query("period", "today")).from());
    StatsScope yesterday = params.scope(query("period", "yesterday"));
    assertEquals(LocalDate.of(2026, 11, 28), yesterday.from());
    assertEquals(yesterday.from(), yesterday.to());
  }

  @Test
  void badParametersSayWhatIsWrong() {
    assertMessage("period must be", query("period", "forever"));
    assertMessage("period must be", query("period", "0d"));
    assertMessage("give both from and to", query("from", "2026-11-01"));
    assertMessage("from must be a day", query("from", "1.11.2026", "to", "2026-11-02"));
    assertMessage("is before from", query("from", "2026-11-02", "to", "2026-11-01"));
    assertMessage("bots must be", query("bots", "yes"));
    assertMessage("cannot filter by 'password'", query("filter.password", "x"));
  }

  private void assertMessage(String expected, MultiMap query) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> params.scope(query));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
