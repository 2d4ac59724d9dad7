package io.trackside.warehouse;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The overview's tables: visitors, sessions, page views, bounce rate, orders, revenue and
 * conversion rate per value of one dimension, most visitors first.
 * <ul>
 *   <li>session dimensions (channel, referrer, utm_*, entry_page, exit_page): each session counts
 *       under its own value;</li>
 *   <li>page: the views of that page, and the sessions and visitors that viewed it;</li>
 *   <li>event: the track events of that name ({@code events}), and the sessions that sent one;</li>
 *   <li>visitor attributes (country, device, ...): the sessions with an event of that value.</li>
 * </ul>
 * A session can count under several values of an event dimension, so those rows may add up to
 * more than the total.
 */
public final class Breakdowns {
  public static final int MAX_LIMIT = 1000;

  /** {@code events} is only given for the {@code event} dimension. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Row(String value, long visitors, long sessions, long pageviews, Long events, Double bounceRate,
                    long orders, double revenue, Double conversionRate) {
  }

  private Breakdowns() {
  }

  public static Map<String, Object> query(Connection conn, StatsScope scope, String dimension, int limit,
                                         Instant rollupUntil) throws SQLException {
    if (!StatsScope.DIMENSIONS.contains(dimension)) {
      throw new IllegalArgumentException("no dimension '" + dimension + "'; dimensions: " + StatsScope.DIMENSIONS);
    }
    List<Object> params = new ArrayList<>();
    String pairs = null;
    String hits = "0";
    if (StatsScope.EVENT_DIMENSIONS.containsKey(dimension)) {
      String kind = switch (dimension) {
        case "page" -> " WHERE " + ScopedSessions.IS_PAGE;
        case "event" -> " WHERE type = 'track'";
        default -> "";
      };
      // Sessions and visitors as 64-bit hashes (IdHash): a month has 4 million (page, session)
      // pairs to group and join to their sessions, at about half the cost of the text ids
      pairs = ", pairs AS (SELECT hash(session_id) AS session_key, value, count(*) AS hits FROM ev" + kind
          + " GROUP BY 1, 2)"
          + " SELECT p.value, count(DISTINCT s.visitor_key) AS visitors, count(*) AS sessions,"
          + " sum(p.hits) AS hits, sum(s.pageviews) AS pageviews,";
      hits = "hits";
    }
    String sql;
    if (hits.equals("hits")) {
      sql = ScopedSessions.with(scope, params, dimension, rollupUntil) + pairs
          + " avg(CASE WHEN s.bounce THEN 1 ELSE 0 END) AS bounce_rate, sum(s.orders) AS orders,"
          + " sum(s.revenue) AS revenue, avg(CASE WHEN s.orders > 0 THEN 1 ELSE 0 END) AS conversion_rate"
          + " FROM pairs p JOIN (SELECT hash(session_id) AS session_key, * FROM ss) s"
          + " ON s.session_key = p.session_key GROUP BY p.value";
    } else {
      sql = "SELECT key AS value, visitors, sessions, 0 AS hits, pageviews, bounce_rate, orders, revenue,"
          + " conversion_rate FROM (" + SessionAggregates.query(scope, params, dimension, rollupUntil,
          SessionAggregates.Key.of("value")) + ") per_value";
    }
    sql += " ORDER BY visitors DESC, sessions DESC, 1 NULLS LAST LIMIT ?";
    params.add(limit);
    boolean page = dimension.equals("page");
    boolean event = dimension.equals("event");
    List<Row> rows = SqlRows.query(conn, sql, params, rs -> new Row(rs.getString("value"), rs.getLong("visitors"),
        rs.getLong("sessions"), page ? rs.getLong("hits") : rs.getLong("pageviews"),
        event ? rs.getLong("hits") : null, SqlRows.rate(rs, "bounce_rate"), rs.getLong("orders"),
        SqlRows.money(rs, "revenue"), SqlRows.rate(rs, "conversion_rate")));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("dimension", dimension);
    answer.put("rows", rows);
    return answer;
  }
}
