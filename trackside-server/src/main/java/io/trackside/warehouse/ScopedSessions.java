package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The common start of the dashboard's queries: {@code ev}, the events in a {@link StatsScope},
 * and {@code ss}, one row per session among them, grouped from the range's events rather than
 * read from the {@code sessions} view (see {@link SessionColumns}). Every query thus reads the
 * range first; DuckDB skips the row groups outside it by their min/max timestamps.
 *
 * <p>Columns of {@code ss}: session_id, visitor_id, started_at, duration (seconds), pageviews,
 * orders, revenue, bounce, and {@code value} when a dimension is asked for.
 */
final class ScopedSessions {
  static final String IS_PAGE = "type IN ('page', 'screen')";
  static final String IS_ORDER = "type = 'track' AND event = 'Order Completed'";

  private ScopedSessions() {
  }

  /** {@code WITH ev AS (...), ss AS (...)} for the scope, parameters appended to {@code params}. */
  static String with(StatsScope scope, List<Object> params) {
    return with(scope, params, null);
  }

  /**
   * As {@link #with(StatsScope, List)}, with a column {@code value}: in {@code ev} for an event
   * dimension ({@link StatsScope#EVENT_DIMENSIONS}), in {@code ss} for a session dimension.
   */
  static String with(StatsScope scope, List<Object> params, String dimension) {
    String eventColumn = dimension == null ? null : StatsScope.EVENT_DIMENSIONS.get(dimension);
    String sessionColumn = dimension == null || eventColumn != null ? null : SessionColumns.aggregate(dimension, "ev");
    // NOT MATERIALIZED: ev is read twice by breakdowns; reading the columns again is cheaper than
    // materialising all of them.
    return "WITH ev AS NOT MATERIALIZED (SELECT e.session_id, e.visitor_id, e.timestamp, e.received_at,"
        + " e.log_offset, e.type, e.event, e.page_path, e.channel, e.referrer_source, e.utm_source, e.utm_medium,"
        + " e.utm_campaign" + (eventColumn == null ? "" : ", e." + eventColumn + " AS value")
        + ", CASE WHEN e.type = 'track' AND e.event = 'Order Completed' THEN " + PeopleSchema.ORDER_AMOUNT
        + " END AS amount"
        + " FROM events e WHERE " + scope.eventCondition("e", params) + " AND e.session_id IS NOT NULL),"
        + " ss AS (SELECT *, pageviews < 2 AND duration < 10 AND orders = 0 AS bounce FROM ("
        + "   SELECT session_id, max(visitor_id) AS visitor_id, min(timestamp) AS started_at,"
        + "   epoch(max(timestamp)) - epoch(min(timestamp)) AS duration,"
        + "   count(*) FILTER (WHERE " + IS_PAGE + ") AS pageviews,"
        + "   count(*) FILTER (WHERE " + IS_ORDER + ") AS orders,"
        + "   coalesce(sum(amount), 0) AS revenue"
        + (sessionColumn == null ? "" : ", " + sessionColumn + " AS value")
        + "   FROM ev GROUP BY session_id) per_session)";
  }

  /** The currency most orders in the scope were paid in, or null without orders. */
  static String currency(Connection conn, StatsScope scope) throws SQLException {
    List<Object> params = new ArrayList<>();
    String sql = "SELECT mode(e.properties->>'currency') AS currency FROM events e WHERE "
        + scope.eventCondition("e", params) + " AND e.type = 'track' AND e.event = 'Order Completed'";
    return SqlRows.query(conn, sql, params, rs -> rs.getString("currency")).get(0);
  }
}
