package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Visitors, sessions, page views, orders and revenue per day or hour of the site's zone, every
 * bucket of the range present (zeros included). A session counts in the bucket it started in,
 * with all its page views and orders, so the points add up to the overview's totals (visitors
 * aside: one visitor can come on several days).
 */
public final class Timeseries {
  /** Hourly points over longer ranges would be more points than a chart can show. */
  public static final int MAX_HOURLY_DAYS = 31;

  public enum Interval {
    DAY("day", "%Y-%m-%d", DateTimeFormatter.ofPattern("yyyy-MM-dd"), Duration.ofDays(1)),
    HOUR("hour", "%Y-%m-%dT%H:00", DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:00"), Duration.ofHours(1));

    final String name;
    final String sqlFormat;
    final DateTimeFormatter javaFormat;
    final Duration step;

    Interval(String name, String sqlFormat, DateTimeFormatter javaFormat, Duration step) {
      this.name = name;
      this.sqlFormat = sqlFormat;
      this.javaFormat = javaFormat;
      this.step = step;
    }

    public static Interval parse(String text) {
      for (Interval interval : values()) {
        if (interval.name.equals(text)) {
          return interval;
        }
      }
      throw new IllegalArgumentException("interval must be day or hour, got '" + text + "'");
    }
  }

  public record Point(String time, long visitors, long sessions, long pageviews, long orders, double revenue) {
  }

  private Timeseries() {
  }

  /**
   * The start of a session's bucket in the site's local time, by arithmetic on the UTC start: plus
   * the zone's offset (a CASE over the zone's transitions within the range, computed here and
   * bound), truncated to the day or hour. Converting each of a month of sessions through
   * {@code timezone(zone, ...)} and formatting it cost more than the rest of the query; the
   * labels are formatted once per bucket. An hour repeated when the clocks go back is one bucket.
   */
  static SessionAggregates.Key bucket(StatsScope scope, Interval interval) {
    ZoneRules rules = scope.zone().getRules();
    List<Object> params = new ArrayList<>();
    StringBuilder offset = new StringBuilder("CASE");
    Instant t = scope.start();
    for (ZoneOffsetTransition next = rules.nextTransition(t); next != null && next.getInstant().isBefore(scope.end());
         next = rules.nextTransition(next.getInstant())) {
      offset.append(" WHEN started_at < make_timestamp(?) THEN ?");
      params.add(StatsScope.utc(next.getInstant()));
      params.add(rules.getOffset(t).getTotalSeconds() * 1_000_000L);
      t = next.getInstant();
    }
    params.add(rules.getOffset(t).getTotalSeconds() * 1_000_000L);
    String micros = params.size() == 1 ? "?" : offset + " ELSE ? END";
    return new SessionAggregates.Key("date_trunc('" + interval.name + "', started_at + to_microseconds(CAST("
        + micros + " AS BIGINT)))", params);
  }

  public static Map<String, Object> query(Connection conn, StatsScope scope, Interval interval, Instant rollupUntil)
      throws SQLException {
    if (interval == Interval.HOUR && scope.days() > MAX_HOURLY_DAYS) {
      throw new IllegalArgumentException("interval=hour covers at most " + MAX_HOURLY_DAYS + " days; use interval=day");
    }
    List<Object> params = new ArrayList<>();
    // The format comes from the enum above, never from a request.
    String sql = "SELECT strftime(key, '" + interval.sqlFormat + "') AS bucket, visitors, sessions, pageviews, orders,"
        + " revenue FROM (" + SessionAggregates.query(scope, params, null, rollupUntil, bucket(scope, interval))
        + ") per_bucket";
    Map<String, Point> points = new LinkedHashMap<>();
    // Every bucket first, in order; a repeated hour when the clocks go back is one bucket, as in SQL.
    for (ZonedDateTime t = scope.start().atZone(scope.zone()); t.toInstant().isBefore(scope.end());
         t = t.plus(interval.step)) {
      String label = interval.javaFormat.format(t);
      points.putIfAbsent(label, new Point(label, 0, 0, 0, 0, 0));
    }
    for (Point p : SqlRows.query(conn, sql, params, rs -> new Point(rs.getString("bucket"), rs.getLong("visitors"),
        rs.getLong("sessions"), rs.getLong("pageviews"), rs.getLong("orders"), SqlRows.money(rs, "revenue")))) {
      points.put(p.time(), p);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("interval", interval.name);
    answer.put("points", List.copyOf(points.values()));
    return answer;
  }
}
