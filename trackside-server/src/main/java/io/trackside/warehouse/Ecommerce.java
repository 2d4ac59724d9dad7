package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shop's page: revenue, orders, average order value and conversion rate (as the overview
 * counts them), cart abandonment, products and searches. Product fields follow the Segment
 * e-commerce spec: {@code product_id} (else {@code sku}), {@code name}, {@code price},
 * {@code quantity}; an order lists its items in {@code products}.
 */
public final class Ecommerce {
  public static final int MAX_ABANDON_HOURS = 24 * 90;
  private static final String DECIMAL = "DECIMAL(18,4)";

  public record Carts(long carts, long abandoned, Double rate, double abandonedValue, int abandonHours) {
  }

  public record Product(String product, String name, long views, long addsToCart, long purchases, double revenue) {
  }

  public record Search(String query, long searches, long withClick) {
  }

  private Ecommerce() {
  }

  public static Map<String, Object> query(Connection conn, StatsScope scope, int abandonHours, int limit, Instant now,
                                         Instant rollupUntil) throws SQLException {
    if (abandonHours < 1 || abandonHours > MAX_ABANDON_HOURS) {
      throw new IllegalArgumentException("abandonHours must be a whole number from 1 to " + MAX_ABANDON_HOURS);
    }
    List<Object> params = new ArrayList<>();
    // one key for all sessions: no row when there are none
    String sql = "SELECT totals.* FROM (SELECT 1) one LEFT JOIN ("
        + SessionAggregates.query(scope, params, null, rollupUntil, SessionAggregates.Key.of("true")) + ") totals ON true";
    Map<String, Object> answer = new LinkedHashMap<>();
    SqlRows.query(conn, sql, params, rs -> {
      double revenue = SqlRows.money(rs, "revenue");
      long orders = rs.getLong("orders");
      answer.put("revenue", revenue);
      answer.put("orders", orders);
      answer.put("averageOrderValue", orders == 0 ? null : Math.round(revenue / orders * 100) / 100.0);
      answer.put("conversionRate", SqlRows.rate(rs, "conversion_rate"));
      answer.put("currency", rs.getString("currency"));
      return null;
    });
    answer.put("carts", carts(conn, scope, abandonHours, now, rollupUntil));
    answer.put("products", products(conn, scope, limit, rollupUntil));
    answer.put("searches", searches(conn, scope, limit, rollupUntil));
    return answer;
  }

  /**
   * A cart is what one person (a logged-in user on all their devices, through events_people)
   * adds between two orders: it begins with a {@code Product Added} in the range and holds the
   * person's adds until their next {@code Order Completed}. It is abandoned when that order does
   * not come within {@code abandonHours} of the cart's last add, and not judged yet while that
   * time has not passed. Orders are looked for up to abandonHours past the range's end.
   */
  static Carts carts(Connection conn, StatsScope scope, int abandonHours, Instant now, Instant rollupUntil)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    String bots = scope.includeBots() ? "" : " AND NOT coalesce(o.is_bot, false)";
    String sql = "WITH adds AS (SELECT e.person_id, e.timestamp AS added_at, coalesce(TRY_CAST(e.properties->>'price' AS "
        + DECIMAL + ") * coalesce(TRY_CAST(e.properties->>'quantity' AS " + DECIMAL + "), 1),"
        + " TRY_CAST(e.properties->>'value' AS " + DECIMAL + "), 0) AS value"
        + " FROM events_people e WHERE " + scope.eventCondition("e", params, rollupUntil)
        + " AND e.type = 'track' AND e.event = 'Product Added'),"
        + " orders AS (SELECT o.person_id, o.timestamp AS ordered_at FROM events_people o"
        + " WHERE o.timestamp >= make_timestamp(?) AND o.timestamp < make_timestamp(?) + to_hours(CAST(? AS BIGINT))"
        + bots + " AND o.type = 'track' AND o.event = 'Order Completed'),"
        // each add meets the person's first order after it: the adds that meet the same order are one cart
        + " closed AS (SELECT a.person_id, a.added_at, a.value, o.ordered_at AS order_at"
        + "   FROM adds a ASOF LEFT JOIN orders o ON a.person_id = o.person_id AND a.added_at < o.ordered_at),"
        + " carts AS (SELECT person_id, order_at, max(added_at) AS last_add, sum(value) AS value FROM closed"
        + "   GROUP BY person_id, order_at),"
        + " judged AS (SELECT value, order_at IS NULL OR order_at > last_add + to_hours(CAST(? AS BIGINT)) AS abandoned"
        + "   FROM carts WHERE last_add + to_hours(CAST(? AS BIGINT)) <= make_timestamp(?))"
        + " SELECT count(*) AS carts, count(*) FILTER (WHERE abandoned) AS abandoned,"
        + " avg(CASE WHEN abandoned THEN 1 ELSE 0 END) AS rate,"
        + " sum(value) FILTER (WHERE abandoned) AS abandoned_value FROM judged";
    params.add(StatsScope.utc(scope.start()));
    params.add(StatsScope.utc(scope.end()));
    params.add(abandonHours);
    params.add(abandonHours);
    params.add(abandonHours);
    params.add(StatsScope.utc(now));
    return SqlRows.query(conn, sql, params, rs -> new Carts(rs.getLong("carts"), rs.getLong("abandoned"),
        SqlRows.rate(rs, "rate"), SqlRows.money(rs, "abandoned_value"), abandonHours)).get(0);
  }

  /** Views, adds to cart, units bought and revenue per product, most revenue first. */
  static List<Product> products(Connection conn, StatsScope scope, int limit, Instant rollupUntil)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    String id = "coalesce(%1$s->>'product_id', %1$s->>'sku')";
    String sql = "WITH ev AS (SELECT e.event, e.properties FROM events e WHERE "
        + scope.eventCondition("e", params, rollupUntil)
        + " AND e.type = 'track' AND e.event IN ('Product Viewed', 'Product Added', 'Order Completed')),"
        + " items AS (SELECT event, " + String.format(id, "properties") + " AS product, properties->>'name' AS name,"
        + "   NULL::" + DECIMAL + " AS units, NULL::" + DECIMAL + " AS amount"
        + "   FROM ev WHERE event <> 'Order Completed'"
        + " UNION ALL SELECT 'Order Completed', " + String.format(id, "item") + ", item->>'name',"
        + "   coalesce(TRY_CAST(item->>'quantity' AS " + DECIMAL + "), 1),"
        + "   TRY_CAST(item->>'price' AS " + DECIMAL + ") * coalesce(TRY_CAST(item->>'quantity' AS " + DECIMAL + "), 1)"
        + "   FROM (SELECT unnest(CAST(json_extract(properties, '$.products[*]') AS JSON[])) AS item"
        + "     FROM ev WHERE event = 'Order Completed') lines)"
        + " SELECT product, max(name) AS name, count(*) FILTER (WHERE event = 'Product Viewed') AS views,"
        + " count(*) FILTER (WHERE event = 'Product Added') AS adds,"
        + " CAST(round(coalesce(sum(units), 0)) AS BIGINT) AS purchases, coalesce(sum(amount), 0) AS revenue"
        + " FROM items WHERE product IS NOT NULL GROUP BY product"
        + " ORDER BY revenue DESC, purchases DESC, views DESC, product LIMIT ?";
    params.add(limit);
    return SqlRows.query(conn, sql, params, rs -> new Product(rs.getString("product"), rs.getString("name"),
        rs.getLong("views"), rs.getLong("adds"), rs.getLong("purchases"), SqlRows.money(rs, "revenue")));
  }

  /**
   * {@code Products Searched} queries (trimmed, lower case) and how many of those searches were
   * followed, before the next search of the same session, by a {@code Product Clicked} or
   * {@code Product Viewed}; the searches most often left without a click first.
   */
  static List<Search> searches(Connection conn, StatsScope scope, int limit, Instant rollupUntil)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    String sql = "WITH ev AS (SELECT e.session_id, e.timestamp, e.received_at, e.log_offset, e.event, e.properties"
        + " FROM events e WHERE " + scope.eventCondition("e", params, rollupUntil) + " AND e.session_id IS NOT NULL"
        + " AND e.type = 'track' AND e.event IN ('Products Searched', 'Product Clicked', 'Product Viewed')),"
        + " numbered AS (SELECT *, sum(CASE WHEN event = 'Products Searched' THEN 1 ELSE 0 END) OVER ("
        + "   PARTITION BY session_id ORDER BY timestamp, received_at, log_offset ROWS UNBOUNDED PRECEDING) AS nth"
        + "   FROM ev),"
        + " searches AS (SELECT lower(trim(max(properties->>'query') FILTER (WHERE event = 'Products Searched')))"
        + "   AS query, count(*) FILTER (WHERE event <> 'Products Searched') > 0 AS clicked"
        + "   FROM numbered WHERE nth > 0 GROUP BY session_id, nth)"
        + " SELECT query, count(*) AS searches, count(*) FILTER (WHERE clicked) AS with_click FROM searches"
        + " WHERE query IS NOT NULL AND query <> ''"
        + " GROUP BY query ORDER BY count(*) - count(*) FILTER (WHERE clicked) DESC, count(*) DESC, query LIMIT ?";
    params.add(limit);
    return SqlRows.query(conn, sql, params, rs -> new Search(rs.getString("query"), rs.getLong("searches"),
        rs.getLong("with_click")));
  }
}
