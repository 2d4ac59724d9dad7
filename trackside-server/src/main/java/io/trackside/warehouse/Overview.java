package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The overview's headline numbers for a scope and the period of the same length before it, read
 * in one pass over both periods (sessions never span a midnight, so each belongs to one period).
 */
public final class Overview {

  /** One number now and in the previous period; {@code change} is null when previous is 0 or null. */
  public record Metric(Number value, Number previous, Double change) {
    static Metric of(Number value, Number previous) {
      Double change = null;
      if (value != null && previous != null && previous.doubleValue() != 0) {
        change = Math.round((value.doubleValue() - previous.doubleValue()) / previous.doubleValue() * 10_000)
            / 10_000.0;
      }
      return new Metric(value, previous, change);
    }
  }

  /** The figures of one period. Rates and duration are null without sessions. */
  record Figures(long visitors, long sessions, long pageviews, Double bounceRate, Double visitDuration,
                 Double conversionRate, double revenue, long orders) {
    static final Figures NONE = new Figures(0, 0, 0, null, null, null, 0, 0);
  }

  private Overview() {
  }

  /** {@code {"range", "metrics", "currency"}} as docs/DASHBOARD.md shows. */
  public static Map<String, Object> query(Connection conn, StatsScope scope, Instant rollupUntil) throws SQLException {
    StatsScope previous = scope.previous();
    StatsScope both = new StatsScope(previous.from(), scope.to(), scope.zone(), scope.includeBots(), scope.filters());
    List<Object> params = new ArrayList<>();
    String sql = SessionAggregates.query(both, params, null, rollupUntil,
        SessionAggregates.Key.of("started_at >= make_timestamp(?)", StatsScope.utc(scope.start())));
    String[] currency = {null};
    Figures now = Figures.NONE;
    Figures before = Figures.NONE;
    for (Map.Entry<Boolean, Figures> row : SqlRows.query(conn, sql, params, rs -> {
      if (rs.getBoolean("key")) {
        currency[0] = rs.getString("currency");
      }
      return Map.entry(rs.getBoolean("key"),
        new Figures(rs.getLong("visitors"), rs.getLong("sessions"), rs.getLong("pageviews"),
            SqlRows.rate(rs, "bounce_rate"), seconds(SqlRows.doubleOf(rs, "visit_duration")),
            SqlRows.rate(rs, "conversion_rate"), SqlRows.money(rs, "revenue"), rs.getLong("orders")));
    })) {
      if (row.getKey()) {
        now = row.getValue();
      } else {
        before = row.getValue();
      }
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("visitors", Metric.of(now.visitors(), before.visitors()));
    metrics.put("sessions", Metric.of(now.sessions(), before.sessions()));
    metrics.put("pageviews", Metric.of(now.pageviews(), before.pageviews()));
    metrics.put("bounceRate", Metric.of(now.bounceRate(), before.bounceRate()));
    metrics.put("visitDuration", Metric.of(now.visitDuration(), before.visitDuration()));
    metrics.put("conversionRate", Metric.of(now.conversionRate(), before.conversionRate()));
    metrics.put("revenue", Metric.of(now.revenue(), before.revenue()));
    metrics.put("orders", Metric.of(now.orders(), before.orders()));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("range", range(scope));
    answer.put("metrics", metrics);
    answer.put("currency", currency[0]);
    return answer;
  }

  /** The range as the answers show it, with the previous period. */
  public static Map<String, Object> range(StatsScope scope) {
    Map<String, Object> range = new LinkedHashMap<>();
    range.put("from", scope.from().toString());
    range.put("to", scope.to().toString());
    range.put("previousFrom", scope.previous().from().toString());
    range.put("previousTo", scope.previous().to().toString());
    range.put("timeZone", scope.zone().getId());
    return range;
  }

  private static Double seconds(Double value) {
    return value == null ? null : Math.round(value * 10) / 10.0;
  }
}
