package io.trackside.warehouse;

import static io.trackside.warehouse.InsightsData.NOVEMBER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.SegmentEvents;
import io.trackside.pipeline.Pipeline;
import io.trackside.pipeline.PipelineConfig;
import io.trackside.pipeline.StandardPipeline;
import io.trackside.pipeline.StepTimings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard gives the same answers on a mirror as on the warehouse its data came from: events
 * written into DuckDB A through its normal write path (the standard pipeline, identity links,
 * quarantine), A's rows copied into PostgreSQL, PostgreSQL mirrored into DuckDB B; then every
 * table, and Overview, Breakdowns, Funnels, Journeys and Attribution, compared between A and B.
 */
class WarehouseMirrorAnswersTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant ALL_FROM_ROLLUP = Instant.parse("2030-01-01T00:00:00Z");
  private static final String[] PAGES = {"/", "/pricing", "/p/mug", "/p/shoes", "/checkout", "/blog/ä \"x\""};
  private static final String[] REFERRERS = {null, "https://www.google.com/", "https://news.ycombinator.com/",
      "https://shop.example/"};

  @TempDir
  Path dir;

  @Test
  void theDashboardAnswersTheSameOnTheMirror() throws Exception {
    try (PgTestDatabase db = PgTestDatabase.create(); Connection pg = db.connect();
         DuckDbWarehouse a = DuckDbWarehouse.open(dir.resolve("a.duckdb"), new SimpleMeterRegistry());
         DuckDbWarehouse b = DuckDbWarehouse.open(dir.resolve("b.duckdb"), new SimpleMeterRegistry())) {
      seed(a);
      PgSchema.create(pg);
      copyIntoPostgres(a, pg);
      WarehouseMirror mirror = WarehouseMirror.manual(db.url(), b, Duration.ofSeconds(1), new SimpleMeterRegistry(),
          java.time.Clock.systemUTC());
      try {
        mirror.syncNow();
      } finally {
        mirror.close();
      }
      for (String table : PgSchema.MIRRORED) {
        List<List<Object>> rows = MirrorRows.duckDb(a, table);
        assertThat(rows).as(table).isNotEmpty();
        assertThat(MirrorRows.duckDb(b, table)).as(table).isEqualTo(rows);
      }
      assertThat(answers(b)).isEqualTo(answers(a));
      JsonNode answers = answers(a);
      assertThat(answers.at("/overview/metrics/sessions/value").asLong()).as("a test that can fail").isPositive();
      assertThat(answers.at("/funnel/steps/1/count").asLong()).isPositive();
      assertThat(answers.at("/overviewWithBots/metrics/sessions/value").asLong())
          .isGreaterThan(answers.at("/overview/metrics/sessions/value").asLong());
      assertThat(answers.at("/overviewOfAChannel/metrics/sessions/value").asLong()).isPositive();
    }
  }

  /** Every dashboard answer compared, as the JSON the API would send. */
  private static JsonNode answers(DuckDbWarehouse warehouse) throws Exception {
    try (SessionRollup rollup = SessionRollup.manual(warehouse); Connection c = warehouse.newConnection()) {
      rollup.refreshNow();
      Map<String, Object> all = new java.util.LinkedHashMap<>();
      all.put("overview", Overview.query(c, NOVEMBER, null));
      all.put("overviewFromRollup", Overview.query(c, NOVEMBER, ALL_FROM_ROLLUP));
      all.put("overviewWithBots", Overview.query(c, new StatsScope(NOVEMBER.from(), NOVEMBER.to(), ZoneOffset.UTC, true,
          Map.of()), null));
      all.put("overviewOfAChannel", Overview.query(c, NOVEMBER.withFilters(Map.of("channel", "organic_search")), null));
      for (String dimension : List.of("channel", "page", "event", "country", "utm_campaign", "entry_page")) {
        all.put("breakdown " + dimension, Breakdowns.query(c, NOVEMBER, dimension, 20, null));
        all.put("breakdown from rollup " + dimension, Breakdowns.query(c, NOVEMBER, dimension, 20, ALL_FROM_ROLLUP));
      }
      all.put("funnel", Funnels.run(c, NOVEMBER, new FunnelRequest(List.of(
          new FunnelStep(FunnelStep.Kind.PAGE, "/", List.of()),
          new FunnelStep(FunnelStep.Kind.EVENT, "Product Added", List.of()),
          new FunnelStep(FunnelStep.Kind.EVENT, "Order Completed", List.of())), null, "channel")));
      all.put("journeyNext", Journeys.run(c, NOVEMBER, new JourneyRequest(FunnelStep.Kind.PAGE, "/", true, 3)));
      all.put("journeyBefore", Journeys.run(c, NOVEMBER,
          new JourneyRequest(FunnelStep.Kind.EVENT, "Order Completed", false, 3)));
      for (AttributionRequest.Model model : AttributionRequest.Model.values()) {
        for (AttributionRequest.By by : AttributionRequest.By.values()) {
          all.put("attribution " + model + " " + by, Attribution.run(c, NOVEMBER, new AttributionRequest(model, by, 30)));
        }
      }
      return JSON.valueToTree(all);
    }
  }

  /** About 600 events of 40 visitors over November, through {@link DuckDbWarehouse#write}. */
  private static void seed(DuckDbWarehouse warehouse) throws Exception {
    Pipeline pipeline = new StandardPipeline(PipelineConfig.defaults(), new StepTimings(new SimpleMeterRegistry()))
        .create(0);
    Random random = new Random(7);
    List<LoggedEvent> batch = new ArrayList<>();
    List<QuarantinedRecord> quarantined = new ArrayList<>();
    for (int v = 0; v < 40; v++) {
      String visitor = "v" + v;
      Instant at = Instant.parse("2026-11-02T08:00:00Z").plus(Duration.ofMinutes(random.nextInt(60 * 24 * 25)));
      for (int visit = 0; visit < 1 + random.nextInt(3); visit++) {
        String referrer = REFERRERS[random.nextInt(REFERRERS.length)];
        String campaign = random.nextInt(3) == 0 ? "?utm_source=news&utm_medium=email&utm_campaign=c" + random.nextInt(3)
            : "";
        for (int e = 0; e < 2 + random.nextInt(8); e++) {
          at = at.plusSeconds(5 + random.nextInt(300));
          String page = PAGES[random.nextInt(PAGES.length)];
          String context = "\"context\":{\"page\":{\"url\":\"https://shop.example" + page.replace("\"", "\\\"")
              + (e == 0 ? campaign : "") + "\"" + (e == 0 && referrer != null ? ",\"referrer\":\"" + referrer + "\"" : "")
              + "},\"locale\":\"de-DE\"}";
          String json = switch (random.nextInt(6)) {
            case 0 -> "{\"type\":\"track\",\"event\":\"Product Added\",\"properties\":{\"product_id\":\"SKU-"
                + random.nextInt(4) + "\",\"price\":" + (5 + random.nextInt(50)) + "}," + context + "}";
            case 1 -> "{\"type\":\"track\",\"event\":\"Order Completed\",\"properties\":{\"revenue\":"
                + (10 + random.nextInt(90)) + ".5,\"currency\":\"EUR\"}," + context + "}";
            case 2 -> "{\"type\":\"identify\",\"userId\":\"user-" + (v % 25) + "\",\"traits\":{\"name\":\"N\\n"
                + v + "\"}," + context + "}";
            default -> "{\"type\":\"page\"," + context + "}";
          };
          String full = json.replaceFirst("\\{", "{\"anonymousId\":\"" + visitor + "\",\"messageId\":\"" + visitor
              + "-" + batch.size() + "\",\"timestamp\":\"" + at + "\",");
          EnrichedEvent enriched = pipeline.process(SegmentEvents.decode(TestEvents.received("web", full,
              at.plusSeconds(1).toEpochMilli())));
          enriched.bot = v % 13 == 12;
          batch.add(new LoggedEvent(enriched, v % 3, batch.size()));
        }
        at = at.plus(Duration.ofHours(2 + random.nextInt(48)));
      }
      if (v % 10 == 0) {
        quarantined.add(new QuarantinedRecord(at, "web", "invalid_json", "line 1: \"oops\"", "q" + v,
            ("{\"broken\": '" + v).getBytes(StandardCharsets.UTF_8), 0, 1000L + v, "203.0.113.0", "UA \"x\""));
      }
    }
    warehouse.write(new WarehouseBatch("warehouse", batch, quarantined, Map.of(0, (long) batch.size())));
  }

  /** A's rows into PostgreSQL as PostgresWarehouse would hold them (partitions made first). */
  private static void copyIntoPostgres(DuckDbWarehouse a, Connection pg) throws SQLException {
    try (Statement s = pg.createStatement()) {
      for (var row : Sql.rows(a, "SELECT DISTINCT CAST(received_at AS DATE) AS day FROM events")) {
        s.execute(PgSchema.partitionDdl((LocalDate) row.get("day")));
      }
    }
    pg.setAutoCommit(false);
    for (String table : PgSchema.MIRRORED) {
      List<Schema.Column> columns = MirrorColumns.of(table);
      StringBuilder names = new StringBuilder();
      StringBuilder values = new StringBuilder();
      for (Schema.Column c : columns) {
        names.append(names.isEmpty() ? "" : ", ").append('"').append(c.name()).append('"');
        values.append(values.isEmpty() ? "" : ", ").append("CAST(? AS ").append(PgSchema.type(c.type())).append(')');
      }
      try (PreparedStatement ps = pg.prepareStatement("INSERT INTO " + table + " (" + names + ") VALUES (" + values
          + ")")) {
        for (List<Object> row : MirrorRows.duckDb(a, table)) {
          for (int i = 0; i < row.size(); i++) {
            Object v = row.get(i);
            if (v != null && columns.get(i).type().equals("TIMESTAMP")) {
              long micros = (Long) v;
              v = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                  (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
            }
            ps.setObject(i + 1, v);
          }
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    pg.commit();
    pg.setAutoCommit(true);
  }
}
