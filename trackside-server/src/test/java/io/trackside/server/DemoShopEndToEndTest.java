package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.demo.ShopClient;
import io.trackside.demo.ShopSimulator;
import io.trackside.pipeline.TestGeoDatabases;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's simulated shop against a real node: three days of backfill and ten seconds of live
 * visits through the Segment API, the snippet's collect endpoint and gtag.js hits, then the
 * warehouse is asked whether every page of the dashboard would have something to show.
 *
 * <p>The simulation is random (seeded), so the assertions are about presence and consistency,
 * not exact counts: with seed 7, 3 days of ~60 visits make ~170 visits, of which ~3 % are bots,
 * ~20 % customers, ~25 % add to cart (most of those abandon) — every expectation below has
 * dozens of chances to be met, and none can be met by a simulator that does not send the thing.
 * Nothing the simulator sends may be quarantined: it speaks each protocol as its real sender does.
 */
class DemoShopEndToEndTest {

  @TempDir
  Path dir;

  @Test
  void theSimulatedShopFillsEveryReportThroughEveryCapturePath() throws Exception {
    Files.writeString(dir.resolve("trackside.yml"), """
        server:
          trust-forwarded-for: true
        sources:
          - name: default
            write-key: %s
            measurement-ids: [%s]
        """.formatted(TestNode.WRITE_KEY, DemoCommand.MEASUREMENT_ID));
    String geo = System.getProperty(TestGeoDatabases.COUNTRY, "");
    if (geo.isBlank() && Boolean.getBoolean("trackside.test.geo.required")) {
      throw new AssertionError("-D" + TestGeoDatabases.COUNTRY + " is required (.ci/test-geo-databases)");
    }
    Map<String, String> flags = new LinkedHashMap<>();
    if (!geo.isBlank()) {
      flags.put("enrichment.geo.database", geo);
    }
    try (TestNode node = TestNode.start(dir, flags)) {
      ShopClient client = new ShopClient(URI.create(node.url("")), TestNode.WRITE_KEY,
          node.config.snippetPath() + "/c", DemoCommand.MEASUREMENT_ID, Clock.systemUTC());
      ShopSimulator shop = new ShopSimulator(client, new ShopSimulator.Settings(7, 3, 60, 240), Clock.systemUTC());
      List<String> progress = new ArrayList<>();
      ShopSimulator.Counts past = shop.backfill(progress::add);
      assertThat(progress).hasSize(3);
      assertThat(past.visits()).isGreaterThan(100);
      ShopSimulator.Counts live = shop.trickle(Duration.ofSeconds(10), progress::add);
      assertThat(live.events()).isGreaterThan(20);
      waitForWarehouse(node.node, past.events() + live.events());

      try (Connection db = node.node.warehouse().newConnection()) {
        assertThat(count(db, "SELECT count(*) FROM quarantine")).as("quarantined").isZero();
        // Every capture path: the server-side library, the snippet (no library), gtag.js.
        assertThat(count(db, "SELECT count(*) FROM events WHERE type = 'page' AND library_name = 'trackside-java'")).isPositive();
        assertThat(count(db, "SELECT count(*) FROM events WHERE type = 'page' AND library_name IS NULL")).isPositive();
        assertThat(count(db, "SELECT count(*) FROM events WHERE type = 'page' AND library_name = 'gtag.js'")).isPositive();
        // Cookieless snippet visitors got daily ids.
        assertThat(count(db, "SELECT count(*) FROM events WHERE anonymous_id IS NULL AND user_id IS NULL AND visitor_id IS NOT NULL"))
            .isPositive();
        // History: events on each of the three days (a fourth if the live part crosses midnight), not all stamped now.
        assertThat(count(db, "SELECT count(DISTINCT CAST(timestamp AS DATE)) FROM events")).isGreaterThanOrEqualTo(3);

        assertThat(strings(db, "SELECT DISTINCT channel FROM sessions WHERE NOT is_bot"))
            .contains("organic_search", "social", "email", "paid_search", "direct");
        assertThat(strings(db, "SELECT DISTINCT referrer_source FROM sessions WHERE channel = 'organic_search'"))
            .contains("google", "bing", "duckduckgo");
        assertThat(strings(db, "SELECT DISTINCT utm_campaign FROM sessions WHERE channel = 'email'")).isNotEmpty();
        assertThat(count(db, "SELECT count(*) FROM events WHERE json_extract_string(click_ids, '$.gclid') IS NOT NULL"))
            .isPositive();
        assertThat(strings(db, "SELECT DISTINCT device_class FROM events WHERE NOT is_bot")).contains("desktop", "phone");
        assertThat(count(db, "SELECT count(DISTINCT browser) FROM events WHERE NOT is_bot")).isGreaterThanOrEqualTo(4);

        // Orders with revenue and currency, through both the Segment API and gtag's purchase.
        assertThat(count(db, "SELECT count(*) FROM events WHERE event = 'Order Completed'"
            + " AND TRY_CAST(json_extract_string(properties, '$.revenue') AS DOUBLE) > 0"
            + " AND json_extract_string(properties, '$.currency') = 'EUR'")).isPositive();
        assertThat(count(db, "SELECT count(*) FROM sessions WHERE orders > 0 AND revenue > 0")).isPositive();
        // Abandoned carts: visitors who added something and never ordered.
        assertThat(count(db, "SELECT count(*) FROM (SELECT visitor_id FROM events GROUP BY visitor_id"
            + " HAVING count(*) FILTER (WHERE event = 'Product Added') > 0"
            + " AND count(*) FILTER (WHERE event = 'Order Completed') = 0)")).isPositive();
        // Searches, some followed by a click in the same session and some not.
        assertThat(count(db, "SELECT count(*) FROM events s WHERE s.event = 'Products Searched' AND EXISTS ("
            + "SELECT 1 FROM events c WHERE c.session_id = s.session_id AND c.event = 'Product Clicked')")).isPositive();
        assertThat(count(db, "SELECT count(*) FROM events s WHERE s.event = 'Products Searched' AND NOT EXISTS ("
            + "SELECT 1 FROM events c WHERE c.session_id = s.session_id AND c.event = 'Product Clicked')")).isPositive();

        // Bots: crawlers by their User-Agent; none of the humans.
        assertThat(count(db, "SELECT count(DISTINCT visitor_id) FROM events WHERE is_bot")).isPositive();
        assertThat(count(db, "SELECT count(*) FROM events WHERE is_bot AND bot_reason = 'user_agent'")).isPositive();
        assertThat(count(db, "SELECT count(*) FROM events WHERE is_bot AND user_agent LIKE 'Mozilla/5.0 (Windows%'"
            + " AND user_agent NOT LIKE '%bot%'")).isZero();
        // Returning customers who log in: identities linked, and sessions numbered beyond 1.
        assertThat(count(db, "SELECT count(*) FROM identities")).isPositive();
        assertThat(count(db, "SELECT count(*) FROM events WHERE type = 'identify' AND user_id LIKE 'customer-%'")).isPositive();
        assertThat(count(db, "SELECT max(session_number) FROM events")).isGreaterThan(1);
        if (!geo.isBlank()) {
          assertThat(count(db, "SELECT count(DISTINCT country) FROM events WHERE NOT is_bot")).isGreaterThanOrEqualTo(8);
          assertThat(count(db, "SELECT count(*) FROM events WHERE country IS NULL AND NOT is_bot")).isZero();
        }
      }
    }
  }

  private static void waitForWarehouse(TracksideNode node, long sent) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (node.warehouseLag() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(node.warehouseLag()).as("events not yet in the warehouse of %d sent", sent).isZero();
  }

  private static long count(Connection db, String sql) throws Exception {
    try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static List<String> strings(Connection db, String sql) throws Exception {
    List<String> values = new ArrayList<>();
    try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        values.add(r.getString(1));
      }
    }
    return values;
  }
}
