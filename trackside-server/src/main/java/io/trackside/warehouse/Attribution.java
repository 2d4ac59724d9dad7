package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Multi-touch attribution of orders to channels or campaigns.
 *
 * <p>Orders are the {@code Order Completed} events in scope. An order's touches are the
 * sessions of the same person ({@code events_people.person_id}, so a login ties devices
 * together) that started within the look-back window before it, its own session included. A
 * session's channel and campaign are those of its first event, as in the {@code sessions} view.
 * The credits of one order add up to 1:
 * <ul>
 *   <li>first_touch / last_touch: all to the earliest / latest touch;</li>
 *   <li>linear: 1/n to each;</li>
 *   <li>position_based: 40 % first, 40 % last, 20 % shared by those between; with one touch it
 *       gets all, with two each gets half.</li>
 * </ul>
 * An order without any session (a server-side event with no visit) is credited to {@code (none)}.
 *
 * <p>The scope (range, bots, filters) selects the orders; touches are read from the range
 * widened by the look-back (plus a day, so a session that began before midnight is whole), and
 * exclude bots unless the scope includes them.
 */
public final class Attribution {
  private Attribution() {
  }

  public static AttributionResult run(Connection conn, StatsScope scope, AttributionRequest request)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    String sql = sql(scope, request, params);
    List<AttributionResult.Row> rows = new ArrayList<>();
    long orders = 0;
    double revenue = 0;
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getBoolean(1)) {
            orders = rs.getLong(5);
            revenue = cents(rs.getDouble(4));
          } else {
            rows.add(new AttributionResult.Row(rs.getString(2), Math.round(rs.getDouble(3) * 10_000) / 10_000.0,
                cents(rs.getDouble(4))));
          }
        }
      }
    }
    return new AttributionResult(rows, orders, revenue);
  }

  /** Credited money is summed in floating point (linear credits are fractions): shown to the cent. */
  private static double cents(double amount) {
    return Math.round(amount * 100) / 100.0;
  }

  static String sql(StatsScope scope, AttributionRequest request, List<Object> params) {
    StringBuilder sql = new StringBuilder("WITH o AS (SELECT row_number() OVER () AS order_no, " + IdHash.of("e.person_id")
        + " AS person,")
        .append(" e.timestamp AS t, coalesce(").append(PeopleSchema.ORDER_AMOUNT.replace("properties", "e.properties"))
        .append(", 0) AS amount FROM events_people e WHERE ").append(scope.eventCondition("e", params))
        .append(" AND e.type = 'track' AND e.event = 'Order Completed')");
    // Sessions and people by 64-bit hashes of their ids (cheaper to group and join on than text);
    // arg_min of a struct keeps a NULL channel and needs no sort per session.
    sql.append(", touches AS (SELECT hash(session_id) AS sk, max(" + IdHash.of("person_id") + ") AS person,")
        .append(" min(timestamp) AS started_at, arg_min({'v': ").append(request.by().column)
        .append("}, timestamp).v AS v FROM events_people")
        .append(" WHERE timestamp >= make_timestamp(?) AND timestamp < make_timestamp(?) AND session_id IS NOT NULL");
    long lookbackMicros = Duration.ofDays(request.lookbackDays() + 1L).toNanos() / 1_000;
    params.add(StatsScope.utc(scope.start()) - lookbackMicros);
    params.add(StatsScope.utc(scope.end()));
    if (!scope.includeBots()) {
      sql.append(" AND NOT coalesce(is_bot, false)");
    }
    sql.append(" AND " + IdHash.of("person_id") + " IN (SELECT person FROM o) GROUP BY hash(session_id))");
    sql.append(", j AS (SELECT o.order_no, o.amount, t.v, count(t.sk) OVER (PARTITION BY o.order_no) AS n,")
        .append(" row_number() OVER (PARTITION BY o.order_no ORDER BY t.started_at, t.sk) AS i")
        .append(" FROM o LEFT JOIN touches t ON t.person = o.person AND t.started_at <= o.t")
        .append(" AND t.started_at >= o.t - to_days(CAST(? AS INTEGER)))");
    params.add(request.lookbackDays());
    String credit = switch (request.model()) {
      case FIRST_TOUCH -> "CASE WHEN i = 1 THEN 1.0 ELSE 0.0 END";
      case LAST_TOUCH -> "CASE WHEN i = n OR n = 0 THEN 1.0 ELSE 0.0 END";
      case LINEAR -> "1.0 / greatest(n, 1)";
      case POSITION_BASED -> "CASE WHEN n <= 1 THEN 1.0 WHEN n = 2 THEN 0.5 WHEN i = 1 OR i = n THEN 0.4"
          + " ELSE 0.2 / (n - 2) END";
    };
    // Credits of an order add up to 1, so the total row's credited revenue is the revenue.
    sql.append(" SELECT GROUPING(value) = 1 AS total, value, sum(credit) AS conversions,")
        .append(" sum(credit * amount) AS credited,")
        .append(" count(DISTINCT order_no) AS orders")
        .append(" FROM (SELECT order_no, amount, coalesce(v, '(none)') AS value, CAST(").append(credit)
        .append(" AS DOUBLE) AS credit FROM j) GROUP BY GROUPING SETS ((), (value))")
        // Under first/last touch most touches get nothing: they are not rows.
        .append(" HAVING GROUPING(value) = 1 OR sum(credit) > 0")
        .append(" ORDER BY total DESC, credited DESC, conversions DESC, value");
    return sql.toString();
  }
}
