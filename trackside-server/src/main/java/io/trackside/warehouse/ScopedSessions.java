package io.trackside.warehouse;

import java.util.List;
import java.util.Map;

/**
 * The common start of the dashboard's queries: {@code ev}, the events in a {@link StatsScope},
 * and {@code ss}, one row per session among them, grouped from the range's events rather than
 * read from the {@code sessions} view (see {@link SessionColumns}). Every query thus reads the
 * range first; DuckDB skips the row groups outside it by their min/max timestamps.
 *
 * <p>Columns of {@code ss}: session_id, visitor_id, started_at, duration (seconds), pageviews,
 * orders, revenue, currency (of its orders), bounce, and {@code value} when a dimension is asked for.
 */
final class ScopedSessions {
  static final String IS_PAGE = "type IN ('page', 'screen')";
  static final String IS_ORDER = "type = 'track' AND event = 'Order Completed'";

  private ScopedSessions() {
  }

  /** Session dimension → its column in session_rollup. */
  private static final Map<String, String> ROLLUP_COLUMNS = Map.of(
      "channel", "channel", "referrer", "referrer_source", "utm_source", "utm_source", "utm_medium", "utm_medium",
      "utm_campaign", "utm_campaign", "entry_page", "entry_page", "exit_page", "exit_page");

  /** {@code WITH ev AS (...), ss AS (...)} for the scope, parameters appended to {@code params}. */
  static String with(StatsScope scope, List<Object> params, boolean rollupReady) {
    return with(scope, params, null, rollupReady);
  }

  /**
   * As {@link #with(StatsScope, List, boolean)}, with a column {@code value}: in {@code ev} for an
   * event dimension ({@link StatsScope#EVENT_DIMENSIONS}), in {@code ss} for a session dimension.
   * When the {@link SessionRollup} is ready and the question is about the sessions of people
   * (no bots) without filters, {@code ss} reads the rollup and there is no {@code ev}.
   */
  static String with(StatsScope scope, List<Object> params, String dimension, boolean rollupReady) {
    String eventColumn = dimension == null ? null : StatsScope.EVENT_DIMENSIONS.get(dimension);
    boolean fromRollup = rollupReady && !scope.includeBots() && scope.filters().isEmpty();
    if (fromRollup && eventColumn == null) {
      return "WITH " + rollupSessions(scope, params, dimension);
    }
    String isOrder = "e.type = 'track' AND e.event = 'Order Completed'";
    // NOT MATERIALIZED: ev is read twice by breakdowns; reading the columns again is cheaper than
    // materialising all of them.
    String ev = "WITH ev AS NOT MATERIALIZED (SELECT e.session_id, e.visitor_id, e.timestamp, e.received_at,"
        + " e.log_offset, e.type, e.event, e.page_path, e.channel, e.referrer_source, e.utm_source, e.utm_medium,"
        + " e.utm_campaign" + (eventColumn == null ? "" : ", e." + eventColumn + " AS value")
        + ", CASE WHEN " + isOrder + " THEN " + PeopleSchema.ORDER_AMOUNT + " END AS amount"
        + ", CASE WHEN " + isOrder + " THEN e.properties->>'currency' END AS currency"
        + " FROM events e WHERE " + scope.eventCondition("e", params, rollupReady) + " AND e.session_id IS NOT NULL)";
    if (fromRollup) {
      // an event dimension: its values from the events, the sessions' figures from the rollup
      return ev + ", " + rollupSessions(scope, params, null);
    }
    String sessionColumn = dimension == null || eventColumn != null ? null : SessionColumns.aggregate(dimension, "ev");
    return ev + ","
        + " ss AS (SELECT *, pageviews < 2 AND duration < 10 AND orders = 0 AS bounce FROM ("
        + "   SELECT session_id, max(visitor_id) AS visitor_id, min(timestamp) AS started_at,"
        + "   epoch(max(timestamp)) - epoch(min(timestamp)) AS duration,"
        + "   count(*) FILTER (WHERE " + IS_PAGE + ") AS pageviews,"
        + "   count(*) FILTER (WHERE " + IS_ORDER + ") AS orders,"
        + "   coalesce(sum(amount), 0) AS revenue, max(currency) AS currency"
        + (sessionColumn == null ? "" : ", " + sessionColumn + " AS value")
        + "   FROM ev GROUP BY session_id) per_session)";
  }

  private static String rollupSessions(StatsScope scope, List<Object> params, String dimension) {
    params.add(StatsScope.utc(scope.start()));
    params.add(StatsScope.utc(scope.end()));
    return "ss AS (SELECT session_id, visitor_id, started_at, duration, pageviews, orders, revenue, currency,"
        + " pageviews < 2 AND duration < 10 AND orders = 0 AS bounce"
        + (dimension == null ? "" : ", " + ROLLUP_COLUMNS.get(dimension) + " AS value")
        + " FROM session_rollup WHERE started_at >= make_timestamp(?) AND started_at < make_timestamp(?))";
  }

  /** The currency of most sessions with an order: an aggregate over {@code ss}. */
  static final String CURRENCY = "mode(currency) FILTER (WHERE orders > 0)";
}
