package io.trackside.warehouse;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A by-hand measurement, not a test: funnels, journeys and attribution over N generated events
 * (10 million by default) in November 2026, in a scratch DuckDB file that is kept for the next run.
 *
 * <pre>
 * java -cp ... io.trackside.warehouse.InsightsCost FILE [EVENTS]
 * </pre>
 *
 * The shop: sessions of 8 events (a landing on /, then product pages, views, adds to cart, cart,
 * checkouts, a few orders, searches, blog), 300,000 visitors of whom 10 % log in (linked
 * identities), six channels, a few campaigns, three devices. Each query runs once to warm up, then
 * 3 times; the median and the fastest are printed, with the machine's load average (the figures
 * mean little on a machine that is busy with something else). {@code -Dmemory=1GB} raises
 * DuckDB's memory limit for the run (Trackside's warehouse default is 1GB, warehouse.memory-limit; the code was tuned at 192 MB).
 */
public final class InsightsCost {

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "/tmp/trackside-insights-cost.duckdb");
    long events = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file, new SimpleMeterRegistry(), 1_000);
         Connection conn = warehouse.newConnection()) {
      String memory = System.getProperty("memory");
      if (memory != null) {
        try (Statement s = conn.createStatement()) {
          s.execute("SET memory_limit = '" + memory.replaceAll("[^0-9A-Za-z]", "") + "'");
        }
      }
      generate(conn, events);
      StatsScope month = InsightsData.NOVEMBER;
      FunnelStep home = new FunnelStep(FunnelStep.Kind.PAGE, "/", List.of());
      FunnelStep added = new FunnelStep(FunnelStep.Kind.EVENT, "Product Added", List.of());
      FunnelStep checkout = new FunnelStep(FunnelStep.Kind.EVENT, "Checkout Started", List.of());
      FunnelStep ordered = new FunnelStep(FunnelStep.Kind.EVENT, "Order Completed",
          List.of(new PropertyFilter("currency", PropertyFilter.Op.EQ, "EUR")));
      List<FunnelStep> four = List.of(home, added, checkout, ordered);
      time("funnel, 4 steps, session window", () ->
          Funnels.run(conn, month, new FunnelRequest(four, null, null)).steps().get(3).count());
      time("funnel, 4 steps, 7-day window", () ->
          Funnels.run(conn, month, new FunnelRequest(four, 7, null)).steps().get(3).count());
      time("funnel, 4 steps, session window, by channel", () ->
          Funnels.run(conn, month, new FunnelRequest(four, null, "channel")).breakdown().size());
      time("journeys next from /cart, depth 3", () ->
          Journeys.run(conn, month, new JourneyRequest(FunnelStep.Kind.PAGE, "/cart", true, 3)).nodes().size());
      time("journeys next from / (every session), depth 5", () ->
          Journeys.run(conn, month, new JourneyRequest(FunnelStep.Kind.PAGE, "/", true, 5)).nodes().size());
      time("journeys previous to Order Completed, depth 5", () -> Journeys.run(conn, month,
          new JourneyRequest(FunnelStep.Kind.EVENT, "Order Completed", false, 5)).nodes().size());
      time("attribution, linear by channel, 30 days", () -> Attribution.run(conn, month,
          new AttributionRequest(AttributionRequest.Model.LINEAR, AttributionRequest.By.CHANNEL, 30)).totalConversions());
    }
  }

  interface Query {
    Object run() throws SQLException;
  }

  private static void time(String name, Query query) throws SQLException {
    Object answer = query.run();
    long[] ms = new long[3];
    for (int i = 0; i < ms.length; i++) {
      long started = System.nanoTime();
      query.run();
      ms[i] = (System.nanoTime() - started) / 1_000_000;
    }
    Arrays.sort(ms);
    System.out.printf("%-50s median %5d ms, fastest %5d ms (answer %s; load %s)%n", name, ms[1], ms[0], answer,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static void generate(Connection conn, long events) throws SQLException {
    try (Statement s = conn.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
        rs.next();
        if (rs.getLong(1) >= events) {
          System.out.println(rs.getLong(1) + " events already there");
          return;
        }
      }
      s.execute("DELETE FROM events");
      s.execute("DELETE FROM identities");
      long started = System.nanoTime();
      long sessions = events / 8;
      // i: the event; s: its session (8 events each); k: its place in the session; h: what it is.
      s.execute("INSERT INTO events (message_id, source, type, event, user_id, anonymous_id, timestamp, received_at,"
          + " page_path, channel, utm_campaign, device_class, is_bot, visitor_id, session_id, properties,"
          + " log_partition, log_offset)"
          + " SELECT 'm' || i, 'web', CASE WHEN kind = 'page' THEN 'page' ELSE 'track' END,"
          + "   CASE WHEN kind = 'page' THEN NULL ELSE kind END,"
          + "   CASE WHEN v % 10 = 0 AND k >= 3 THEN 'u' || v END, 'a' || v,"
          + "   t, t, path, CASE WHEN k = 0 THEN channel ELSE 'internal' END,"
          + "   CASE WHEN k = 0 THEN campaign END, device, false, 'a' || v, 's' || sess,"
          + "   CASE WHEN kind = 'Order Completed' THEN json_object('revenue', 10 + h, 'currency', 'EUR') END,"
          + "   0, i"
          + " FROM (SELECT i, sess, k, v, h, t, channel, campaign, device,"
          + "   CASE WHEN k = 0 THEN 'page' WHEN h < 40 THEN 'page' WHEN h < 55 THEN 'Product Viewed'"
          + "     WHEN h < 65 THEN 'Product Added' WHEN h < 70 THEN 'page' WHEN h < 74 THEN 'Checkout Started'"
          + "     WHEN h < 76 THEN 'Order Completed' WHEN h < 85 THEN 'page' ELSE 'page' END AS kind,"
          + "   CASE WHEN k = 0 THEN '/' WHEN h < 40 THEN '/p/' || (hash(i * 7) % 500) WHEN h < 65 THEN NULL"
          + "     WHEN h < 70 THEN '/cart' WHEN h < 76 THEN NULL WHEN h < 85 THEN '/search'"
          + "     ELSE '/blog/' || (hash(i * 11) % 50) END AS path"
          + "  FROM (SELECT i, i // 8 AS sess, i % 8 AS k, hash(i // 8) % 300000 AS v, hash(i) % 100 AS h,"
          + "     TIMESTAMP '2026-11-01' + to_microseconds(CAST((i // 8) * (30 * 86400000000 // " + sessions + ")"
          + "       + (i % 8) * 40000000 AS BIGINT)) AS t,"
          + "     ['direct', 'organic_search', 'paid_search', 'social', 'email', 'referral'][CAST(1 + hash(i // 8 + 1) % 6 AS BIGINT)]"
          + "       AS channel,"
          + "     CASE hash(i // 8 + 2) % 5 WHEN 0 THEN 'black-friday' WHEN 1 THEN 'brand' END AS campaign,"
          + "     ['desktop', 'phone', 'tablet'][CAST(1 + hash(hash(i // 8) % 300000) % 3 AS BIGINT)] AS device"
          + "   FROM range(" + events + ") r(i)))");
      s.execute("INSERT INTO identities SELECT DISTINCT anonymous_id, user_id, TIMESTAMP '2026-11-01',"
          + " TIMESTAMP '2026-11-01', 'web' FROM events WHERE user_id IS NOT NULL");
      s.execute("CHECKPOINT");
      System.out.printf("generated %,d events in %d s%n", events, (System.nanoTime() - started) / 1_000_000_000);
    }
  }
}
