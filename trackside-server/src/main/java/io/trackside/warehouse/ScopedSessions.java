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
 * <p>Columns of {@code ss}: session_id, visitor_id, visitor_key, started_at, duration (seconds), pageviews,
 * orders, revenue, currency (of its orders), bounce, and {@code value} when a session dimension
 * is asked for ({@code ev} has {@code value} for an event dimension).
 */
final class ScopedSessions {
  static final String IS_PAGE = "type IN ('page', 'screen')";
  static final String IS_ORDER = "type = 'track' AND event = 'Order Completed'";

  /**
   * The visitor as a 64-bit hash ({@link IdHash}), also stored in session_rollup: counting distinct
   * visitors over a month of sessions is cheaper on it than on the text.
   */
  static final String VISITOR_KEY = IdHash.of("max(visitor_id)");

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
    Parts parts = parts(scope, params, dimension, rollupUntil);
    return parts.names().size() == 1 ? parts.with()
        : parts.with() + ", ss AS (SELECT * FROM past UNION ALL SELECT * FROM today)";
  }

  /**
   * The sessions of a scope in disjoint parts, each a CTE with the columns of {@code ss}, for
   * queries that aggregate each part on its own and then combine ({@link SessionAggregates}):
   * a query over a UNION ALL of a month of rollup rows and today's grouped sessions is several
   * times slower than the same aggregates over each (RATIONALE.md, "Dashboard queries").
   * Either {@code past} (the rollup's sessions before the cut) and {@code today} (grouped from
   * the events after it), or only {@code ss} (grouped from the events) when the rollup cannot
   * answer: filters, bots, or not ready.
   *
   * @param with  {@code WITH ev AS (...), ...} defining the parts; its parameters are appended
   * @param names the CTEs, in order
   */
  record Parts(String with, List<String> names) {
  }

  /** As {@link #with(StatsScope, List, String, Instant)}, in parts. */
  static Parts parts(StatsScope scope, List<Object> params, String dimension, Instant rollupUntil) {
    String eventColumn = dimension == null ? null : StatsScope.EVENT_DIMENSIONS.get(dimension);
    String sessionColumn = dimension == null || eventColumn != null ? null : SessionColumns.aggregate(dimension, "ev");
    // NOT MATERIALIZED: ev is read twice by breakdowns; reading the columns again is cheaper than
    // materialising all of them, and the filters of each reader reach the scan.
    String ev = "WITH ev AS NOT MATERIALIZED (SELECT e.session_id, e.visitor_id, e.timestamp, e.received_at,"
        + " e.log_offset, e.type, e.event, e.page_path, e.channel, e.referrer_source, e.utm_source, e.utm_medium,"
        + " e.utm_campaign" + (eventColumn == null ? "" : ", e." + eventColumn + " AS value")
        + " FROM events e WHERE " + scope.eventCondition("e", params, rollupUntil)
        + " AND e.session_id IS NOT NULL)"
        // The orders apart, read by a scan of their own that keeps only orders before it reads
        // event and properties (JSON text): a scan reads a column for every row that passed the
        // filters before it, and where the range's rows are spread over the whole table that is
        // nearly every block. Grouping today's 72k events of a 10M table took 255 ms with the
        // orders among them, 105 ms apart (RATIONALE.md, "Dashboard queries").
        + ", ev_orders AS NOT MATERIALIZED (SELECT e.session_id, e.timestamp, " + PeopleSchema.ORDER_AMOUNT
        + " AS amount, e.properties->>'currency' AS currency FROM events e WHERE "
        + scope.eventCondition("e", params, rollupUntil)
        + " AND e.session_id IS NOT NULL AND e.type = 'track' AND e.event = 'Order Completed')";
    String bounce = "pageviews < 2 AND duration < 10 AND orders = 0 AS bounce";
    if (rollupUntil == null || scope.includeBots() || !scope.filters().isEmpty()) {
      // MATERIALIZED: read by several aggregates, grouped once
      return new Parts(ev + ", ss AS MATERIALIZED (SELECT *, " + bounce + " FROM ("
          + grouped(sessionColumn, "") + ") per_session)", List.of("ss"));
    }
    Instant cut = scope.cut(rollupUntil);
    params.add(StatsScope.utc(scope.start()));
    params.add(StatsScope.utc(cut));
    String past = "past AS NOT MATERIALIZED (SELECT session_id, visitor_id, visitor_key, started_at, duration,"
        + " pageviews, orders, revenue, currency,"
        // value before bounce, as SELECT * gives the grouped side's columns
        + (sessionColumn == null ? "" : " " + ROLLUP_COLUMNS.get(dimension) + " AS value,") + " " + bounce
        + " FROM session_rollup WHERE started_at >= make_timestamp(?) AND started_at < make_timestamp(?))";
    params.add(StatsScope.utc(cut));
    params.add(StatsScope.utc(cut));
    String after = " WHERE timestamp >= make_timestamp(?)";
    // NOT MATERIALIZED: a month of rows, each reader takes its own columns; today's few sessions
    // are grouped once
    return new Parts(ev + ", " + past + ", today AS MATERIALIZED (SELECT *, " + bounce + " FROM ("
        + grouped(sessionColumn, after) + ") recent)", List.of("past", "today"));
  }

  /** The sessions of {@code ev} (after {@code where}), in the columns and order of past's. */
  private static String grouped(String sessionColumn, String where) {
    return "SELECT g.session_id, g.visitor_id, g.visitor_key, g.started_at, g.duration, g.pageviews,"
        + " coalesce(o.orders, 0) AS orders, coalesce(o.revenue, 0) AS revenue, o.currency"
        + (sessionColumn == null ? "" : ", g.value")
        + " FROM (SELECT session_id, max(visitor_id) AS visitor_id, " + VISITOR_KEY + " AS visitor_key,"
        + " min(timestamp) AS started_at, epoch(max(timestamp)) - epoch(min(timestamp)) AS duration,"
        + " count(*) FILTER (WHERE " + IS_PAGE + ") AS pageviews"
        + (sessionColumn == null ? "" : ", " + sessionColumn + " AS value")
        + " FROM ev" + where + " GROUP BY session_id) g LEFT JOIN (SELECT session_id, count(*) AS orders,"
        + " sum(amount) AS revenue, max(currency) AS currency FROM ev_orders" + where + " GROUP BY session_id) o"
        + " ON o.session_id = g.session_id";
  }
}
