package io.trackside.warehouse;

import java.time.Instant;
import java.util.List;

/**
 * The session figures of the overview, the timeseries, the session-dimension breakdowns and the
 * shop's totals, per value of a key over the sessions (the period, a day, a channel, ...), in one
 * query whose columns are: key, visitors, sessions, pageviews, bounce_rate, visit_duration
 * (seconds), conversion_rate, revenue, orders and currency (that of most sessions with an order,
 * the first by name on a tie). A key without sessions has no row.
 *
 * <p>Each part of {@link ScopedSessions#parts} (a month of rollup rows, today's sessions grouped
 * from the events) is aggregated on its own and the small results are combined: sums add up;
 * distinct visitors are counted over the union of the parts' distinct (key, visitor) pairs, on
 * the visitor's 64-bit hash. The same aggregates over a UNION ALL of the parts' sessions took
 * two to three times as long (RATIONALE.md, "Dashboard queries").
 */
final class SessionAggregates {

  /** An expression over the columns of {@code ss} and its bound parameters, used once per part. */
  record Key(String sql, List<Object> params) {
    static Key of(String sql, Object... params) {
      return new Key(sql, List.of(params));
    }

    String bind(List<Object> into) {
      into.addAll(params);
      return sql;
    }
  }

  private SessionAggregates() {
  }

  /**
   * The query, parameters appended to {@code params}; the caller may append ORDER BY and LIMIT.
   *
   * @param dimension a session dimension, to key on {@code value}; else null
   */
  static String query(StatsScope scope, List<Object> params, String dimension, Instant rollupUntil, Key key) {
    ScopedSessions.Parts parts = ScopedSessions.parts(scope, params, dimension, rollupUntil);
    StringBuilder sql = new StringBuilder(parts.with());
    sql.append(", sums AS (SELECT key, sum(sessions) AS sessions, sum(pageviews) AS pageviews, sum(bounces) AS bounces,"
        + " sum(duration) AS duration, sum(converted) AS converted, sum(revenue) AS revenue, sum(orders) AS orders FROM (");
    unionOf(sql, parts, params, key, "count(*) AS sessions, sum(pageviews) AS pageviews,"
        + " count(*) FILTER (WHERE bounce) AS bounces, sum(duration) AS duration,"
        + " count(*) FILTER (WHERE orders > 0) AS converted, sum(revenue) AS revenue, sum(orders) AS orders",
        "", " GROUP BY 1", " UNION ALL ");
    // the distinct (key, visitor) pairs of all parts at once: a visitor who came in both is one
    sql.append(") per_part GROUP BY key), visitors AS (SELECT key, count(*) AS visitors FROM (SELECT DISTINCT key,"
        + " visitor_key FROM (");
    unionOf(sql, parts, params, key, "visitor_key", " WHERE visitor_key IS NOT NULL", "", " UNION ALL ");
    sql.append(") ids) pairs GROUP BY key), currencies AS (SELECT key, first(currency ORDER BY n DESC, currency) AS currency"
        + " FROM (SELECT key, currency, sum(n) AS n FROM (");
    unionOf(sql, parts, params, key, "currency, count(*) AS n", " WHERE orders > 0 AND currency IS NOT NULL",
        " GROUP BY 1, 2", " UNION ALL ");
    sql.append(") per_part GROUP BY key, currency) counted GROUP BY key)"
        + " SELECT s.key, coalesce(v.visitors, 0) AS visitors, s.sessions, s.pageviews,"
        + " s.bounces / s.sessions AS bounce_rate, s.duration / s.sessions AS visit_duration,"
        + " s.converted / s.sessions AS conversion_rate, s.revenue, s.orders, c.currency"
        + " FROM sums s LEFT JOIN visitors v ON v.key IS NOT DISTINCT FROM s.key"
        + " LEFT JOIN currencies c ON c.key IS NOT DISTINCT FROM s.key");
    return sql.toString();
  }

  /** {@code SELECT key, columns FROM part where groupBy} for each part, joined by {@code union}. */
  private static void unionOf(StringBuilder sql, ScopedSessions.Parts parts, List<Object> params, Key key,
                              String columns, String where, String groupBy, String union) {
    for (int i = 0; i < parts.names().size(); i++) {
      sql.append(i == 0 ? "" : union).append("SELECT ").append(key.bind(params)).append(" AS key, ").append(columns)
          .append(" FROM ").append(parts.names().get(i)).append(where).append(groupBy);
    }
  }
}
