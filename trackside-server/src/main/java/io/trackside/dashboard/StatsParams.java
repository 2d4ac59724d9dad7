package io.trackside.dashboard;

import io.trackside.warehouse.StatsScope;
import io.vertx.core.MultiMap;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the query parameters every {@code /api/stats/} endpoint shares into a {@link StatsScope}:
 * <ul>
 *   <li>{@code period}: {@code today}, {@code yesterday} or {@code Nd} (the last N days,
 *       today included; 1 ≤ N ≤ 3660); the default is {@code 30d};</li>
 *   <li>or {@code from} and {@code to}: days {@code YYYY-MM-DD}, both inclusive;</li>
 *   <li>{@code bots=include} counts bot traffic (excluded by default);</li>
 *   <li>{@code filter.<dimension>=<value>}, for example {@code filter.country=DE}.</li>
 * </ul>
 * Days are in the site's time zone ({@code sessions.time-zone}).
 */
final class StatsParams {
  static final int MAX_DAYS = 3660;
  private static final Pattern LAST_DAYS = Pattern.compile("(\\d{1,4})d");

  private final ZoneId zone;
  private final Clock clock;

  StatsParams(ZoneId zone, Clock clock) {
    this.zone = zone;
    this.clock = clock;
  }

  ZoneId zone() {
    return zone;
  }

  /** The scope the parameters ask for; throws {@link IllegalArgumentException} with a message for a 400. */
  StatsScope scope(MultiMap params) {
    LocalDate today = LocalDate.now(clock.withZone(zone));
    String from = blankToNull(params.get("from"));
    String to = blankToNull(params.get("to"));
    String period = blankToNull(params.get("period"));
    LocalDate first;
    LocalDate last;
    if (from != null || to != null) {
      if (from == null || to == null) {
        throw new IllegalArgumentException("give both from and to (YYYY-MM-DD), or a period such as 30d");
      }
      first = day("from", from);
      last = day("to", to);
    } else {
      String p = period == null ? "30d" : period;
      switch (p) {
        case "today" -> {
          first = today;
          last = today;
        }
        case "yesterday" -> {
          first = today.minusDays(1);
          last = first;
        }
        default -> {
          Matcher m = LAST_DAYS.matcher(p);
          int n = m.matches() ? Integer.parseInt(m.group(1)) : 0;
          if (n < 1 || n > MAX_DAYS) {
            throw new IllegalArgumentException("period must be today, yesterday or Nd (1 to " + MAX_DAYS
                + " days, for example 7d), got '" + p + "'");
          }
          first = today.minusDays(n - 1L);
          last = today;
        }
      }
    }
    if (last.isBefore(first)) {
      throw new IllegalArgumentException("to (" + last + ") is before from (" + first + ")");
    }
    if (first.plusDays(MAX_DAYS).isBefore(last)) {
      throw new IllegalArgumentException("a range can span at most " + MAX_DAYS + " days");
    }
    String bots = blankToNull(params.get("bots"));
    if (bots != null && !bots.equals("include") && !bots.equals("exclude")) {
      throw new IllegalArgumentException("bots must be include or exclude, got '" + bots + "'");
    }
    Map<String, String> filters = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : params.entries()) {
      if (entry.getKey().startsWith("filter.")) {
        String dimension = entry.getKey().substring("filter.".length());
        if (!StatsScope.DIMENSIONS.contains(dimension)) {
          throw new IllegalArgumentException("cannot filter by '" + dimension + "'; dimensions: " + StatsScope.DIMENSIONS);
        }
        filters.put(dimension, entry.getValue());
      }
    }
    return new StatsScope(first, last, zone, "include".equals(bots), filters);
  }

  private static LocalDate day(String name, String text) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + " must be a day as YYYY-MM-DD, got '" + text + "'");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
