package io.trackside.warehouse;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Not a unit test: times the dashboard's questions in-process on an existing warehouse file (such
 * as the one trackside-bench's DashboardBench generates), the 30 days up to its last event, with
 * the warehouse's memory limit (1GB) and the rollup read up to the last event's time. Prints the
 * median of each and the answers, so that two builds can be compared on the same file. Run with
 * the test class path: {@code java io.trackside.warehouse.DashboardCost FILE [runs] [rebuild]};
 * "rebuild" empties session_rollup first and builds it again. {@code -Donly=funnel} times only the
 * questions whose name starts with that ({@code -Dprofile=NAME}: DuckDB's profile of one).
 */
public final class DashboardCost {

  /** CPU time of the whole process, DuckDB's threads included: less sensitive than wall time to a busy machine. */
  private static final com.sun.management.OperatingSystemMXBean CPU =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    boolean rebuild = args.length > 2 && args[2].equals("rebuild");
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file, new SimpleMeterRegistry(), 1000, "1GB")) {
      try (SessionRollup rollup = SessionRollup.manual(warehouse)) {
        if (rebuild) {
          try (Connection conn = warehouse.newConnection(); Statement s = conn.createStatement()) {
            s.execute("DELETE FROM session_rollup_days");
          }
        }
        long started = System.nanoTime();
        rollup.refreshNow();
        System.out.printf("rollup pass: %d ms%n", (System.nanoTime() - started) / 1_000_000);
        if (System.getProperty("change") != null) {
          // -Dchange: one more event on the last day, as live traffic adds every few seconds (changes the file)
          try (Connection conn = warehouse.newConnection(); Statement s = conn.createStatement()) {
            s.execute("INSERT INTO events (message_id, type, timestamp, received_at, visitor_id, session_id,"
                + " log_partition, log_offset) SELECT 'cost-' || epoch_us(now()), 'page', max(timestamp), max(timestamp),"
                + " 'cost', 'cost-' || epoch_us(now()), 0, max(log_offset) + 1 FROM events");
          }
          started = System.nanoTime();
          rollup.refreshNow();
          System.out.printf("rollup pass, the last day changed: %d ms%n", (System.nanoTime() - started) / 1_000_000);
        }
      }
      Instant now;
      try (Connection conn = warehouse.newConnection(); Statement s = conn.createStatement();
           var rs = s.executeQuery("SELECT epoch_us(max(timestamp)) FROM events")) {
        rs.next();
        now = Instant.EPOCH.plusNanos(rs.getLong(1) * 1000).plusSeconds(60);
      }
      LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
      StatsScope scope = new StatsScope(today.minusDays(29), today, java.time.ZoneId.of("UTC"), false, Map.of());
      Map<String, StatsReaders.Work<Object>> questions = new LinkedHashMap<>();
      questions.put("overview", c -> Overview.query(c, scope, now));
      questions.put("timeseries day", c -> Timeseries.query(c, scope, Timeseries.Interval.DAY, now));
      questions.put("breakdown page", c -> Breakdowns.query(c, scope, "page", 10, now));
      questions.put("breakdown channel", c -> Breakdowns.query(c, scope, "channel", 10, now));
      questions.put("ecommerce", c -> Ecommerce.query(c, scope, 24, 10, now, now));
      if (System.getProperty("shop") != null) {
        questions.put("ecommerce: carts", c -> Ecommerce.carts(c, scope, 24, now, now));
        questions.put("ecommerce: products", c -> Ecommerce.products(c, scope, 10, now));
        questions.put("ecommerce: searches", c -> Ecommerce.searches(c, scope, 10, now));
      }
      // as if the rollup held today too: what the events of today cost the others
      Instant tomorrow = scope.end();
      questions.put("overview, rollup only", c -> Overview.query(c, scope, tomorrow));
      questions.put("timeseries, rollup only", c -> Timeseries.query(c, scope, Timeseries.Interval.DAY, tomorrow));
      questions.put("overview channel=social", c -> Overview.query(c, scope.withFilters(Map.of("channel", "social")), now));
      // DashboardBench's two funnels: / → Product Viewed → Product Added → Order Completed
      List<FunnelStep> four = List.of(new FunnelStep(FunnelStep.Kind.PAGE, "/", List.of()),
          new FunnelStep(FunnelStep.Kind.EVENT, "Product Viewed", List.of()),
          new FunnelStep(FunnelStep.Kind.EVENT, "Product Added", List.of()),
          new FunnelStep(FunnelStep.Kind.EVENT, "Order Completed", List.of()));
      questions.put("funnel session", c -> Funnels.run(c, scope, new FunnelRequest(four, null, null)));
      questions.put("funnel 7d by channel", c -> Funnels.run(c, scope, new FunnelRequest(four, 7, "channel")));
      String only = System.getProperty("only");
      if (only != null) {
        // -Donly=PREFIX: only the questions whose name starts with it (e.g. -Donly=funnel)
        questions.keySet().removeIf(name -> !name.startsWith(only));
      }
      String profile = System.getProperty("profile");
      try (StatsReaders readers = new StatsReaders(warehouse, 2)) {
        if (profile != null) {
          // -Dprofile=NAME: that question once, DuckDB's profile of each of its queries in /tmp/perf/profile-*.txt
          readers.read(c -> {
            try (Statement s = c.createStatement()) {
              s.execute("SET enable_profiling = 'json'");
              s.execute("SET profiling_output = '/tmp/perf/profile-" + profile.replace(' ', '-') + ".txt'");
            }
            Object answer = questions.get(profile).apply(c);
            try (Statement s = c.createStatement()) {
              s.execute("SET enable_profiling = 'no_output'");
              s.execute("PRAGMA disable_profiling");
            }
            return answer;
          });
          return;
        }
        for (Map.Entry<String, StatsReaders.Work<Object>> q : questions.entrySet()) {
          Object answer = readers.read(q.getValue()); // warm-up
          List<Long> times = new ArrayList<>();
          List<Long> cpu = new ArrayList<>();
          for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            long c = CPU.getProcessCpuTime();
            readers.read(q.getValue());
            times.add((System.nanoTime() - t) / 1_000_000);
            cpu.add((CPU.getProcessCpuTime() - c) / 1_000_000);
          }
          System.out.printf("%-26s median %5d ms (min %5d), cpu %5d ms  %s%n", q.getKey(), median(times),
              times.stream().min(Long::compare).orElseThrow(), median(cpu), times);
          System.out.println("  " + answer);
        }
      }
    }
  }
}
