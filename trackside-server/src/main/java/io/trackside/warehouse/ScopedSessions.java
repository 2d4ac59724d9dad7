package io.trackside.warehouse;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The common start of the dashboard's queries: {@code ev}, the events in a {@link StatsScope},
 * and {@code ss}, one row per session among them. Sessions are grouped from the range's events
 * (never read from the {@code sessions} view, see {@link SessionColumns}), or — for questions
 * without filters and without bots, once the {@link SessionRollup} is ready — read from the
 * rollup for the days before {@code rollupUntil} and grouped from the events after it. The
 * cut is a midnight of the site's zone, which no session crosses, so each session is counted
 * once, and the day in progress is always exact (the rollup follows the events a few seconds
 * late).
 *
 * <p>Columns of {@code ss}: session_id, visitor_id, started_at, duration (seconds), pageviews,
 * orders, revenue, currency (of its orders), bounce, and {@code value} when a session dimension
 * is asked for ({@code ev} has {@code value} for an event dimension).
 */
final class ScopedSessions {
  static final String IS_PAGE = "type IN ('page', 'screen')";
  static final String IS_ORDER = "type = 'track' AND event = 'Order Completed'";
  /** The currency of most sessions with an order: an aggregate over {@code ss}. */
  static final String CURRENCY = "mode(currency) FILTER (WHERE orders > 0)";

  /** Session dimension → its column in session_rollup (the sessions view's names). */
  private static final Map<String, String> ROLLUP_COLUMNS = StatsScope.SESSION_DIMENSIONS;

  private ScopedSessions() {
  }

  /** {@code WITH ev AS (...), ss AS (...)} for the scope, parameters appended to {@code params}. */
  static String with(StatsScope scope, List<Object> params, Instant rollupUntil) {
    return with(scope, params, null, rollupUntil);
  }

  /**
   * As {@link #with(StatsScope, List, Instant)}, with a column {@code value}: in {@code ev} for an
   * event dimension ({@link StatsScope#EVENT_DIMENSIONS}), in {@code ss} for a session dimension.
   *
   * @param rollupUntil null to group every session from the events; else sessions that start
   *                    before the site's midnight at or before this instant are read from the rollup
   */
  static String with(StatsScope scope, List<Object> params, String dimension, Instant rollupUntil) {
    String eventColumn = dimension == null ? null : StatsScope.EVENT_DIMENSIONS.get(dimension);
    String sessionColumn = dimension == null || eventColumn != null ? null : SessionColumns.aggregate(dimension, "ev");
    String isOrder = "e.type = 'track' AND e.event = 'Order Completed'";
    // NOT MATERIALIZED: ev is read twice by breakdowns; reading the columns again is cheaper than
    // materialising all of them, and the filters of each reader reach the scan.
    String ev = "WITH ev AS NOT MATERIALIZED (SELECT e.session_id, e.visitor_id, e.timestamp, e.received_at,"
        + " e.log_offset, e.type, e.event, e.page_path, e.channel, e.referrer_source, e.utm_source, e.utm_medium,"
        + " e.utm_campaign" + (eventColumn == null ? "" : ", e." + eventColumn + " AS value")
        + ", CASE WHEN " + isOrder + " THEN " + PeopleSchema.ORDER_AMOUNT + " END AS amount"
        + ", CASE WHEN " + isOrder + " THEN e.properties->>'currency' END AS currency"
        + " FROM events e WHERE " + scope.eventCondition("e", params, rollupUntil)
        + " AND e.session_id IS NOT NULL)";
    String grouped = "SELECT session_id, max(visitor_id) AS visitor_id, min(timestamp) AS started_at,"
        + " epoch(max(timestamp)) - epoch(min(timestamp)) AS duration,"
        + " count(*) FILTER (WHERE " + IS_PAGE + ") AS pageviews,"
        + " count(*) FILTER (WHERE " + IS_ORDER + ") AS orders,"
        + " coalesce(sum(amount), 0) AS revenue, max(currency) AS currency"
        + (sessionColumn == null ? "" : ", " + sessionColumn + " AS value")
        + " FROM ev";
    String bounce = "pageviews < 2 AND duration < 10 AND orders = 0 AS bounce";
    if (rollupUntil == null || scope.includeBots() || !scope.filters().isEmpty()) {
      return ev + ", ss AS (SELECT *, " + bounce + " FROM (" + grouped + " GROUP BY session_id) per_session)";
    }
    Instant cut = scope.cut(rollupUntil);
    params.add(StatsScope.utc(scope.start()));
    params.add(StatsScope.utc(cut));
    params.add(StatsScope.utc(cut));
    return ev + ", ss AS (SELECT session_id, visitor_id, started_at, duration, pageviews, orders, revenue, currency,"
        // value before bounce, as SELECT * gives the grouped side's columns
        + (sessionColumn == null ? "" : " " + ROLLUP_COLUMNS.get(dimension) + " AS value,") + " " + bounce
        + " FROM session_rollup WHERE started_at >= make_timestamp(?) AND started_at < make_timestamp(?)"
        + " UNION ALL SELECT *, " + bounce + " FROM (" + grouped + " WHERE timestamp >= make_timestamp(?)"
        + " GROUP BY session_id) recent)";
  }
}
