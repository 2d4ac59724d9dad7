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

  /**
   * Views, adds to cart, units bought and revenue per product, most revenue first. Without
   * filters and bots, the hours before the cut are read from {@code product_rollup} (see
   * {@link #productsPerHour}) and only today's events are parsed: the month's 3 million
   * {@code Product Viewed} events took a second of JSON parsing on each question.
   */
  static List<Product> products(Connection conn, StatsScope scope, int limit, Instant rollupUntil)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    StringBuilder parts = new StringBuilder();
    if (rollupUntil != null && !scope.includeBots() && scope.filters().isEmpty() && wholeHours(scope)) {
      Instant cut = scope.cut(rollupUntil);
      parts.append("SELECT product, name, views, adds, units, amount FROM product_rollup"
          + " WHERE hour >= make_timestamp(?) AND hour < make_timestamp(?) UNION ALL ");
      params.add(StatsScope.utc(scope.start()));
      params.add(StatsScope.utc(cut));
      String today = "e.timestamp >= make_timestamp(?) AND e.timestamp < make_timestamp(?)"
          + " AND NOT coalesce(e.is_bot, false)";
      parts.append(perProduct(today, today, ""));
      for (int i = 0; i < 2; i++) {
        params.add(StatsScope.utc(cut));
        params.add(StatsScope.utc(scope.end()));
      }
    } else {
      // in the order the conditions appear, each with its parameters
      String viewsAndAdds = scope.eventCondition("e", params, rollupUntil);
      parts.append(perProduct(viewsAndAdds, scope.eventCondition("e", params, rollupUntil), ""));
    }
    String sql = "SELECT product, max(name) AS name, sum(views) AS views, sum(adds) AS adds,"
        + " CAST(round(coalesce(sum(units), 0)) AS BIGINT) AS purchases, coalesce(sum(amount), 0) AS revenue"
        + " FROM (" + parts + ") per_part GROUP BY product"
        + " ORDER BY revenue DESC, purchases DESC, views DESC, product LIMIT ?";
    params.add(limit);
    return SqlRows.query(conn, sql, params, rs -> new Product(rs.getString("product"), rs.getString("name"),
        rs.getLong("views"), rs.getLong("adds"), rs.getLong("purchases"), SqlRows.money(rs, "revenue")));
  }

  /**
   * True when every offset of the site's zone within the range is a whole number of hours, so
   * that the range is made of whole UTC hours of {@code product_rollup} (not so in India's +5:30).
   */
  static boolean wholeHours(StatsScope scope) {
    var rules = scope.zone().getRules();
    Instant t = scope.start();
    while (true) {
      if (rules.getOffset(t).getTotalSeconds() % 3600 != 0) {
        return false;
      }
      var next = rules.nextTransition(t);
      if (next == null || !next.getInstant().isBefore(scope.end())) {
        return true;
      }
      t = next.getInstant();
    }
  }

  /**
   * The rows of {@code product_rollup} for the events in {@code condition} (over events aliased
   * e, no parameters of its own here): per UTC hour and product, views, adds, units bought and
   * their amount. Sums of whole hours add up to the figures of any range of them; so does
   * max(name).
   */
  static String productsPerHour(String condition) {
    return perProduct(condition, condition, "date_trunc('hour', timestamp) AS hour, ") + ", hour";
  }

  /**
   * Per product (and hour, with {@code hourColumn}) among the views and adds in the first
   * condition and the orders in the second; ends with its GROUP BY.
   */
  private static String perProduct(String condition, String ordersCondition, String hourColumn) {
    String id = "coalesce(%1$s->>'product_id', %1$s->>'sku')";
    return "SELECT " + hourColumn + "product, max(name) AS name,"
        + " count(*) FILTER (WHERE event = 'Product Viewed') AS views,"
        + " count(*) FILTER (WHERE event = 'Product Added') AS adds, sum(units) AS units, sum(amount) AS amount"
        + " FROM (SELECT timestamp, event, " + String.format(id, "properties") + " AS product,"
        + "   properties->>'name' AS name, NULL::" + DECIMAL + " AS units, NULL::" + DECIMAL + " AS amount"
        + "   FROM events e WHERE " + condition
        + "   AND e.type = 'track' AND e.event IN ('Product Viewed', 'Product Added')"
        + " UNION ALL SELECT timestamp, 'Order Completed', " + String.format(id, "item") + ", item->>'name',"
        + "   coalesce(TRY_CAST(item->>'quantity' AS " + DECIMAL + "), 1),"
        + "   TRY_CAST(item->>'price' AS " + DECIMAL + ") * coalesce(TRY_CAST(item->>'quantity' AS " + DECIMAL + "), 1)"
        + "   FROM (SELECT e.timestamp, unnest(CAST(json_extract(e.properties, '$.products[*]') AS JSON[])) AS item"
        + "     FROM events e WHERE " + ordersCondition + " AND e.type = 'track' AND e.event = 'Order Completed') lines) items"
        + " WHERE product IS NOT NULL GROUP BY product";
  }

  /**
   * {@code Products Searched} queries (trimmed, lower case) and how many of those searches were
   * followed, before the next search of the same session, by a {@code Product Clicked} or
   * {@code Product Viewed}; the searches most often left without a click first.
   */
  static List<Search> searches(Connection conn, StatsScope scope, int limit, Instant rollupUntil)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    String parts;
    if (rollupUntil != null && !scope.includeBots() && scope.filters().isEmpty()) {
      // the searches before the cut from search_rollup, today's from the events
      Instant cut = scope.cut(rollupUntil);
      parts = "SELECT query, clicked FROM search_rollup WHERE searched_at >= make_timestamp(?)"
          + " AND searched_at < make_timestamp(?) UNION ALL SELECT query, clicked FROM ("
          + searchesOf("e.timestamp >= make_timestamp(?) AND e.timestamp < make_timestamp(?)"
          + " AND NOT coalesce(e.is_bot, false)") + ") today";
      params.add(StatsScope.utc(scope.start()));
      params.add(StatsScope.utc(cut));
      params.add(StatsScope.utc(cut));
      params.add(StatsScope.utc(scope.end()));
    } else {
      parts = "SELECT query, clicked FROM (" + searchesOf(scope.eventCondition("e", params, rollupUntil)) + ") s";
    }
    String sql = "SELECT query, count(*) AS searches, count(*) FILTER (WHERE clicked) AS with_click FROM (" + parts
        + ") searches WHERE query IS NOT NULL AND query <> ''"
        + " GROUP BY query ORDER BY count(*) - count(*) FILTER (WHERE clicked) DESC, count(*) DESC, query LIMIT ?";
    params.add(limit);
    return SqlRows.query(conn, sql, params, rs -> new Search(rs.getString("query"), rs.getLong("searches"),
        rs.getLong("with_click")));
  }

  /**
   * One row per search among the events in {@code condition} (over events aliased e): its
   * session, time, query (trimmed, lower case) and whether a click or view followed it before
   * the session's next search. Also the rows of {@code search_rollup}: the month's 3 million
   * {@code Product Viewed} events took a second to read and number on each question.
   */
  static String searchesOf(String condition) {
    return "SELECT session_id, min(timestamp) AS searched_at,"
        + " lower(trim(max(properties->>'query') FILTER (WHERE event = 'Products Searched'))) AS query,"
        + " count(*) FILTER (WHERE event <> 'Products Searched') > 0 AS clicked"
        + " FROM (SELECT *, sum(CASE WHEN event = 'Products Searched' THEN 1 ELSE 0 END) OVER ("
        + "   PARTITION BY session_id ORDER BY timestamp, received_at, log_offset ROWS UNBOUNDED PRECEDING) AS nth"
        + "   FROM (SELECT e.session_id, e.timestamp, e.received_at, e.log_offset, e.event, e.properties"
        + "   FROM events e WHERE " + condition + " AND e.session_id IS NOT NULL"
        + "   AND e.type = 'track' AND e.event IN ('Products Searched', 'Product Clicked', 'Product Viewed')) ev) numbered"
        + " WHERE nth > 0 GROUP BY session_id, nth";
  }

}
