package io.trackside.warehouse;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every dashboard question is asked about: a range of whole days in the site's time zone,
 * whether bots count, and filters on dimensions (all must match).
 *
 * <p>Filter semantics, shared by every report so that clicking a table row filters the whole
 * page consistently: a filter selects <em>sessions</em>.
 * <ul>
 *   <li>Visitor attributes (country, region, city, device, browser, os, source) and the page
 *       and event filters select the sessions with at least one event that matches in the range
 *       (a page filter matches page/screen views of that path; an event filter track events of
 *       that name).</li>
 *   <li>Acquisition (channel, referrer, utm_*) and entry/exit pages are properties of the
 *       session as a whole (its first event, its first and last page), as the {@code sessions}
 *       view defines them.</li>
 * </ul>
 * Events without a session (identify, group, alias) fall out of any filtered report.
 *
 * @param from        first day, inclusive, in {@code zone}
 * @param to          last day, inclusive, in {@code zone}
 * @param includeBots false (the default everywhere) drops events flagged as bots
 * @param filters     dimension (one of {@link #DIMENSIONS}) → exact value
 */
public record StatsScope(LocalDate from, LocalDate to, ZoneId zone, boolean includeBots, Map<String, String> filters) {

  /** Filterable dimensions and the events column each one reads. */
  public static final Map<String, String> EVENT_DIMENSIONS = Map.of(
      "page", "page_path", "event", "event", "country", "country", "region", "region", "city", "city",
      "device", "device_class", "browser", "browser", "os", "os", "source", "source");
  /** Session dimensions and the {@code sessions} view column each one reads. */
  public static final Map<String, String> SESSION_DIMENSIONS = Map.of(
      "channel", "channel", "referrer", "referrer_source", "utm_source", "utm_source", "utm_medium", "utm_medium",
      "utm_campaign", "utm_campaign", "entry_page", "entry_page", "exit_page", "exit_page");
  public static final Set<String> DIMENSIONS;

  static {
    java.util.TreeSet<String> all = new java.util.TreeSet<>(EVENT_DIMENSIONS.keySet());
    all.addAll(SESSION_DIMENSIONS.keySet());
    DIMENSIONS = java.util.Collections.unmodifiableSet(all);
  }

  public StatsScope {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("the range ends (" + to + ") before it starts (" + from + ")");
    }
    for (String dimension : filters.keySet()) {
      if (!DIMENSIONS.contains(dimension)) {
        throw new IllegalArgumentException("cannot filter by '" + dimension + "'; filters: " + DIMENSIONS);
      }
    }
    filters = Map.copyOf(new LinkedHashMap<>(filters));
  }

  /** The range's first instant (midnight of {@code from} in the zone). */
  public Instant start() {
    return from.atStartOfDay(zone).toInstant();
  }

  /** The instant after the range (midnight after {@code to} in the zone), exclusive. */
  public Instant end() {
    return to.plusDays(1).atStartOfDay(zone).toInstant();
  }

  public long days() {
    return ChronoUnit.DAYS.between(from, to) + 1;
  }

  /** The period of the same length just before, for "change against the previous period". */
  public StatsScope previous() {
    return new StatsScope(from.minusDays(days()), from.minusDays(1), zone, includeBots, filters);
  }

  public StatsScope withFilters(Map<String, String> other) {
    return new StatsScope(from, to, zone, includeBots, other);
  }

  /**
   * A SQL condition over the {@code events} table aliased {@code e} that keeps the events in
   * scope: in the range, bots excluded unless asked, and in a session that passes the filters.
   * Its parameters are appended to {@code params} in order.
   */
  public String eventCondition(String e, List<Object> params) {
    return eventCondition(e, params, null);
  }

  /**
   * Where the days read from the {@link SessionRollup} end: the site's midnight at or before
   * {@code rollupUntil}, kept within the range. No session crosses it.
   */
  public Instant cut(Instant rollupUntil) {
    Instant midnight = LocalDate.ofInstant(rollupUntil, zone).atStartOfDay(zone).toInstant();
    return midnight.isBefore(start()) ? start() : midnight.isAfter(end()) ? end() : midnight;
  }

  /**
   * As {@link #eventCondition(String, List)}; with {@code rollupUntil} (the {@link SessionRollup}
   * is ready) and bots excluded, session filters read the rollup's one row per session for the
   * days before {@link #cut} and group the events only after it: far less memory on large ranges.
   */
  public String eventCondition(String e, List<Object> params, Instant rollupUntil) {
    StringBuilder sql = new StringBuilder();
    sql.append(e).append(".timestamp >= make_timestamp(?) AND ").append(e)
        .append(".timestamp < make_timestamp(?)");
    params.add(utc(start()));
    params.add(utc(end()));
    if (!includeBots) {
      sql.append(" AND NOT coalesce(").append(e).append(".is_bot, false)");
    }
    for (Map.Entry<String, String> f : filters.entrySet()) {
      String column = EVENT_DIMENSIONS.get(f.getKey());
      if (column != null) {
        String kind = switch (f.getKey()) {
          case "page" -> " AND m.type IN ('page', 'screen')";
          case "event" -> " AND m.type = 'track'";
          default -> "";
        };
        sql.append(" AND ").append(e).append(".session_id IN (SELECT m.session_id FROM events m")
            .append(" WHERE m.timestamp >= make_timestamp(?) AND m.timestamp < make_timestamp(?) AND m.").append(column).append(" = ?").append(kind)
            .append(')');
      } else if (rollupUntil != null && !includeBots) {
        // session_rollup has the same column names as the sessions view
        sql.append(" AND ").append(e).append(".session_id IN (SELECT r.session_id FROM session_rollup r")
            .append(" WHERE r.started_at >= make_timestamp(?) AND r.started_at < make_timestamp(?) AND r.")
            .append(SESSION_DIMENSIONS.get(f.getKey())).append(" = ?")
            .append(" UNION ALL SELECT s.session_id FROM events s")
            .append(" WHERE s.timestamp >= make_timestamp(?) AND s.timestamp < make_timestamp(?)")
            .append(" AND s.session_id IS NOT NULL GROUP BY s.session_id HAVING ")
            .append(SessionColumns.aggregate(f.getKey(), "s")).append(" = ?)");
        Instant cut = cut(rollupUntil);
        params.add(utc(start()));
        params.add(utc(cut));
        params.add(f.getValue());
        params.add(utc(cut));
        params.add(utc(end()));
        params.add(f.getValue());
        continue;
      } else {
        // The sessions of the range grouped here rather than read from the sessions view, which
        // recomputes every session ever stored; the same answer since ranges are whole days and
        // sessions end at midnight (SessionColumns).
        sql.append(" AND ").append(e).append(".session_id IN (SELECT s.session_id FROM events s")
            .append(" WHERE s.timestamp >= make_timestamp(?) AND s.timestamp < make_timestamp(?)")
            .append(" AND s.session_id IS NOT NULL GROUP BY s.session_id HAVING ")
            .append(SessionColumns.aggregate(f.getKey(), "s")).append(" = ?)");
      }
      params.add(utc(start()));
      params.add(utc(end()));
      params.add(f.getValue());
    }
    return sql.toString();
  }

  /**
   * A UTC instant as the parameter of {@code make_timestamp(?)}: microseconds since the epoch,
   * so that no JVM or driver time zone plays a part (TIMESTAMP columns hold UTC without a zone).
   */
  public static long utc(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
