package io.trackside.warehouse;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;

/**
 * Not a unit test: times the dashboard's queries on generated events in a scratch DuckDB file,
 * with the warehouse's own settings (memory limit included). Run:
 * {@code mvn -o -q -pl trackside-server exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.trackside.warehouse.StatsCost -Dexec.args="10000000 /tmp/stats-cost"}
 * or with java and the test class path. 10 million events over 90 days: 8 events a session (6
 * page views, one add to cart, every tenth session an order), 4 sessions a visitor, in
 * time order as the writer appends them.
 */
public final class StatsCost {

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    Path dir = Path.of(args.length > 1 ? args[1] : "/tmp/stats-cost");
    Files.createDirectories(dir);
    // "shuffled": session start times from a hash, so row groups are not in time order (as
    // trackside-bench's DashboardData generates them) and zone maps cannot skip any
    boolean shuffled = args.length > 2 && args[2].equals("shuffled");
    Path file = dir.resolve("warehouse-" + rows + (shuffled ? "-shuffled" : "") + ".duckdb");
    boolean fresh = !Files.exists(file);
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file, new SimpleMeterRegistry(), 1000)) {
      if (fresh) {
        long started = System.nanoTime();
        try (Connection conn = warehouse.newConnection(); Statement s = conn.createStatement()) {
          s.execute(generate(rows, shuffled));
        }
        System.out.printf("generated %,d events in %d ms%n", rows, (System.nanoTime() - started) / 1_000_000);
      }
      try (SessionRollup rollup = SessionRollup.manual(warehouse)) {
        try (Connection conn = warehouse.newConnection(); Statement s = conn.createStatement()) {
          s.execute("DELETE FROM session_rollup_days"); // the first pass after an upgrade: build it all
          s.execute("DELETE FROM session_rollup");
        }
        time("session rollup, full pass", () -> {
          rollup.refreshNow();
          return null;
        });
        try (Connection conn = warehouse.newConnection(); Statement s = conn.createStatement()) {
          // 800 more events on the last day, as live traffic would add: one day to rebuild
          s.execute("INSERT INTO events (message_id, type, timestamp, received_at, visitor_id, session_id, log_partition,"
              + " log_offset) SELECT 'late' || i, 'page', TIMESTAMP '2026-03-31 12:00:00' + i * INTERVAL 1 SECOND,"
              + " TIMESTAMP '2026-03-31 12:00:00', 'late' || (i // 8), 'late' || (i // 8), 0,"
              + " (SELECT max(log_offset) + 1 FROM events) + i"
              + " FROM range(800) t(i)");
        }
        time("session rollup, one day changed", () -> {
          rollup.refreshNow();
          return null;
        });
      }
      LocalDate last = LocalDate.of(2026, 3, 31);
      StatsScope scope = new StatsScope(last.minusDays(29), last, ZoneId.of("UTC"), false, Map.of());
      StatsScope filtered = scope.withFilters(Map.of("channel", "social"));
      try (StatsReaders readers = new StatsReaders(warehouse, 2)) {
        time("overview 30d without the rollup", () -> readers.read(c -> Overview.query(c, scope, null)));
        time("overview 30d without the rollup", () -> readers.read(c -> Overview.query(c, scope, null)));
        for (int round = 0; round < 3; round++) {
          time("overview 30d", () -> readers.read(c -> Overview.query(c, scope, ROLLUP)));
          time("overview 30d channel=social", () -> readers.read(c -> Overview.query(c, filtered, ROLLUP)));
          time("timeseries 30d by day", () -> readers.read(c -> Timeseries.query(c, scope, Timeseries.Interval.DAY, ROLLUP)));
          time("breakdown page", () -> readers.read(c -> Breakdowns.query(c, scope, "page", 10, ROLLUP)));
          time("breakdown entry_page", () -> readers.read(c -> Breakdowns.query(c, scope, "entry_page", 10, ROLLUP)));
          time("ecommerce 30d", () -> readers.read(c -> Ecommerce.query(c, scope, 24, 20,
              last.plusDays(3).atStartOfDay(ZoneId.of("UTC")).toInstant(), ROLLUP)));
        }
        Map<String, Object> overview = readers.read(c -> Overview.query(c, scope, ROLLUP));
        System.out.println(overview);
      }
    }
  }

  /** Every session of the measured range from the rollup, as on the day after it. */
  private static final java.time.Instant ROLLUP = java.time.Instant.parse("2026-04-01T12:00:00Z");

  interface Run {
    Object run() throws Exception;
  }

  private static void time(String what, Run run) throws Exception {
    long started = System.nanoTime();
    run.run();
    System.out.printf("%-32s %6d ms%n", what, (System.nanoTime() - started) / 1_000_000);
  }

  /** The events; i is the row, s = i / 8 its session, n = i % 8 its place in the session. */
  private static String generate(long rows, boolean shuffled) {
    long sessions = rows / 8;
    // 90 days from 2026-01-01 in microseconds, spread evenly over the sessions
    long start = 1_767_225_600_000_000L;
    long step = 90L * 86_400_000_000L / Math.max(1, sessions);
    String sessionStart = shuffled ? "(hash(i // 8) % " + sessions + ")::BIGINT * " + step : "(i // 8) * " + step;
    return "INSERT INTO events (message_id, source, type, event, timestamp, received_at, page_path, channel,"
        + " referrer_source, utm_source, utm_medium, utm_campaign, browser, os, device_class, is_bot, country,"
        + " visitor_id, session_id, session_number, properties, log_partition, log_offset)"
        + " SELECT 'm' || i, 'web', CASE WHEN i % 8 IN (6, 7) THEN 'track' ELSE 'page' END,"
        + " CASE WHEN i % 8 = 6 THEN 'Product Added' WHEN i % 8 = 7 THEN"
        + "   (CASE WHEN (i // 8) % 10 = 0 THEN 'Order Completed' ELSE 'Product Viewed' END) END,"
        + " make_timestamp(" + start + " + " + sessionStart + " + (i % 8) * 20000000),"
        + " make_timestamp(" + start + " + " + sessionStart + " + (i % 8) * 20000000 + 1000000),"
        + " '/p/' || ((i * 7919) % 500), ['direct', 'organic_search', 'social', 'email', 'paid_search'][1 + (i // 8) % 5],"
        + " ['google', 'facebook', 'newsletter', NULL][1 + (i // 8) % 4], NULL, NULL,"
        + " CASE WHEN (i // 8) % 7 = 0 THEN 'spring' END,"
        + " ['Chrome', 'Safari', 'Firefox'][1 + (i // 8) % 3], ['Windows', 'iOS', 'Android', 'macOS'][1 + (i // 8) % 4],"
        + " ['desktop', 'phone', 'tablet'][1 + (i // 8) % 3], (i // 8) % 50 = 0,"
        + " ['DE', 'US', 'FR', 'GB', 'NL', 'ES'][1 + (i // 8) % 6],"
        + " 'v' || ((i // 8) // 4), 's' || (i // 8), 1 + (i // 8) % 4,"
        + " CASE WHEN i % 8 = 7 AND (i // 8) % 10 = 0 THEN '{\"revenue\": 59.5, \"currency\": \"EUR\"}'"
        + "   WHEN i % 8 = 6 THEN '{\"product_id\": \"sku-' || (i % 97) || '\", \"price\": 19.9}' END,"
        + " 0, i FROM range(" + rows + ") t(i)";
  }
}
