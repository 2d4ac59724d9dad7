package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.SegmentEvents;
import io.trackside.pipeline.AttributionConfig;
import io.trackside.pipeline.GeoConfig;
import io.trackside.pipeline.Pipeline;
import io.trackside.pipeline.PipelineConfig;
import io.trackside.pipeline.PiiPolicy;
import io.trackside.pipeline.StandardPipeline;
import io.trackside.pipeline.StepTimings;
import io.trackside.pipeline.TrackingPlanConfig;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's queries on a real DuckDB file, seeded through {@link DuckDbWarehouse#write} with
 * events enriched by the standard pipeline in the zone Europe/Berlin (UTC+1 in November), so the
 * pipeline cuts the sessions at Berlin's midnight. Every expected number is worked out below.
 *
 * <pre>
 * Range 2026-11-10..11 (Berlin); previous period 2026-11-08..09.
 * session  visitor   channel         events (UTC)                                    pv  dur  orders revenue bounce
 * S1       a         organic_search  10th 09:00 /, 09:00:30 /p/mug, Viewed SKU-1,      2  300  1      30     no
 *                                    Added SKU-1 x2, 09:05 Order 30 EUR (SKU-1 x2 @15)
 * S2       b         social          10th 22:50 /blog (23:50 Berlin)                   1    0  0       0     yes
 * S3       b         social          10th 23:10 /pricing (00:10 Berlin on the 11th:    1    0  0       0     yes
 *                                    a new session in Berlin, the same one in UTC)
 * S4       c         direct          11th 08:00 /, searches and clicks, 08:01 /p/shoes, 2  240  0       0     no
 *                                    Viewed + Added SKU-2 (80) at 08:02/08:03, 08:04 search "red shoes"
 * S5       d-phone   email           10th 12:00 /, 12:01 identify u-d, 12:02 Added SKU-1 1  120  0       0     no
 * S6       d-laptop  direct          10th 20:00 /checkout (user u-d), 20:01 Order 15     1   60  1      15     no
 * S7       f (bot)   direct          10th 15:00 /, 15:00:20 /pricing                   2   20  0       0     no
 * S8       e         direct          11th 22:00 /p/mug, 22:00:30 Added SKU-1           1   30  0       0     no
 * previous: a on the 8th (/, /p/mug 3 s later: 2 pv, not a bounce), g on the 9th (/ only: a bounce).
 * </pre>
 * Without bots (S7 out): visitors a, b, c, d-phone, d-laptop, e = 6; sessions 7; page views
 * 2+1+1+2+1+1+1 = 9; bounces S2, S3 = 2/7 = 0.2857; duration (300+0+0+240+120+60+30)/7 = 107.1 s;
 * sessions with an order S1, S6 = 2/7; revenue 30 + 15 = 45; orders 2.
 * Previous: 2 visitors, 2 sessions, 3 page views, bounce 1/2, duration (3+0)/2 = 1.5 s, no orders.
 */
class StatsQueriesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final LocalDate FROM = LocalDate.of(2026, 11, 10);
  private static final LocalDate TO = LocalDate.of(2026, 11, 11);

  @TempDir
  Path dir;

  private DuckDbWarehouse warehouse;
  private StatsReaders readers;
  private SessionRollup sessionRollup;
  private final List<LoggedEvent> batch = new ArrayList<>();
  /** The log offset of the batch's first event. */
  private long offsetBase;
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private Pipeline pipeline;

  @BeforeEach
  void seed() throws Exception {
    warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), new SimpleMeterRegistry());
    PipelineConfig berlin = new PipelineConfig(false, false, false, 10, Duration.ofSeconds(10),
        TrackingPlanConfig.none(), AttributionConfig.defaults(), PiiPolicy.defaults(), true, Duration.ofMinutes(30),
        BERLIN, GeoConfig.off());
    pipeline = new StandardPipeline(berlin, new StepTimings(new SimpleMeterRegistry())).create(0);

    // previous period
    page("a", "2026-11-08T10:00:00Z", "/", x -> x.channel = "organic_search");
    page("a", "2026-11-08T10:00:03Z", "/p/mug", null);
    page("g", "2026-11-09T10:00:00Z", "/", x -> x.channel = "organic_search");

    // S1
    page("a", "2026-11-10T09:00:00Z", "/", x -> {
      x.channel = "organic_search";
      x.country = "DE";
    });
    page("a", "2026-11-10T09:00:30Z", "/p/mug", x -> x.country = "DE");
    track("a", null, "2026-11-10T09:01:00Z", "Product Viewed", "{\"product_id\":\"SKU-1\",\"name\":\"Mug\",\"price\":15}");
    track("a", null, "2026-11-10T09:02:00Z", "Product Added",
        "{\"product_id\":\"SKU-1\",\"name\":\"Mug\",\"price\":15,\"quantity\":2}");
    track("a", null, "2026-11-10T09:05:00Z", "Order Completed", "{\"order_id\":\"o-1\",\"revenue\":30,"
        + "\"currency\":\"EUR\",\"products\":[{\"product_id\":\"SKU-1\",\"name\":\"Mug\",\"price\":15,\"quantity\":2}]}");
    // S2, S3: one visitor across Berlin's midnight
    page("b", "2026-11-10T22:50:00Z", "/blog", x -> x.channel = "social");
    page("b", "2026-11-10T23:10:00Z", "/pricing", x -> x.channel = "social");
    // S5 and S6: one person on two devices
    page("d-phone", "2026-11-10T12:00:00Z", "/", x -> x.channel = "email");
    add("d-phone", "2026-11-10T12:01:00Z", "{\"type\":\"identify\",\"userId\":\"u-d-" + run + "\"}", null);
    track("d-phone", null, "2026-11-10T12:02:00Z", "Product Added", "{\"product_id\":\"SKU-1\",\"name\":\"Mug\",\"price\":15}");
    add("d-laptop", "2026-11-10T20:00:00Z", "{\"type\":\"page\",\"userId\":\"u-d-" + run + "\","
        + "\"context\":{\"page\":{\"url\":\"https://shop.example/checkout\"}}}", x -> x.channel = "direct");
    track("d-laptop", "u-d-" + run, "2026-11-10T20:01:00Z", "Order Completed", "{\"order_id\":\"o-2\",\"total\":15,"
        + "\"currency\":\"EUR\",\"products\":[{\"product_id\":\"SKU-1\",\"name\":\"Mug\",\"price\":15}]}");
    // S7: a bot
    page("f", "2026-11-10T15:00:00Z", "/", x -> x.bot = true);
    page("f", "2026-11-10T15:00:20Z", "/pricing", x -> x.bot = true);
    // S4: searches; "red shoes" twice (once clicked), "blue socks" once (clicked by the view)
    page("c", "2026-11-11T08:00:00Z", "/", x -> {
      x.channel = "direct";
      x.country = "DE";
    });
    track("c", null, "2026-11-11T08:00:05Z", "Products Searched", "{\"query\":\"Red Shoes \"}");
    track("c", null, "2026-11-11T08:00:20Z", "Product Clicked", "{\"product_id\":\"SKU-2\"}");
    track("c", null, "2026-11-11T08:00:40Z", "Products Searched", "{\"query\":\"blue socks\"}");
    page("c", "2026-11-11T08:01:00Z", "/p/shoes", null);
    track("c", null, "2026-11-11T08:02:00Z", "Product Viewed", "{\"product_id\":\"SKU-2\",\"name\":\"Shoes\",\"price\":80}");
    track("c", null, "2026-11-11T08:03:00Z", "Product Added", "{\"product_id\":\"SKU-2\",\"name\":\"Shoes\",\"price\":80}");
    track("c", null, "2026-11-11T08:04:00Z", "Products Searched", "{\"query\":\"red shoes\"}");
    // S8: a cart added late on the 11th
    page("e", "2026-11-11T22:00:00Z", "/p/mug", x -> x.channel = "direct");
    track("e", null, "2026-11-11T22:00:30Z", "Product Added", "{\"product_id\":\"SKU-1\",\"name\":\"Mug\",\"price\":15}");

    warehouse.write(new WarehouseBatch("warehouse", batch, List.of(), Map.of(0, (long) batch.size())));
    readers = new StatsReaders(warehouse, 2);
    sessionRollup = SessionRollup.manual(warehouse);
    sessionRollup.refreshNow();
  }

  @AfterEach
  void close() {
    sessionRollup.close();
    readers.close();
    warehouse.close();
  }

  private StatsScope scope() {
    return new StatsScope(FROM, TO, BERLIN, false, Map.of());
  }

  @Test
  void overviewCountsSessionsCutAtBerlinMidnightAndComparesWithThePreviousPeriod() throws Exception {
    JsonNode overview = json(both(rollup -> readers.read(c -> Overview.query(c, scope(), rollup))));
    assertThat(overview.at("/range").toString()).isEqualTo("{\"from\":\"2026-11-10\",\"to\":\"2026-11-11\","
        + "\"previousFrom\":\"2026-11-08\",\"previousTo\":\"2026-11-09\",\"timeZone\":\"Europe/Berlin\"}");
    JsonNode m = overview.get("metrics");
    assertThat(m.get("visitors").toString()).isEqualTo("{\"value\":6,\"previous\":2,\"change\":2.0}");
    assertThat(m.get("sessions").toString()).isEqualTo("{\"value\":7,\"previous\":2,\"change\":2.5}");
    assertThat(m.get("pageviews").toString()).isEqualTo("{\"value\":9,\"previous\":3,\"change\":2.0}");
    // (0.2857 - 0.5) / 0.5 = -0.4286
    assertThat(m.get("bounceRate").toString()).isEqualTo("{\"value\":0.2857,\"previous\":0.5,\"change\":-0.4286}");
    // (107.1 - 1.5) / 1.5 = 70.4
    assertThat(m.get("visitDuration").toString()).isEqualTo("{\"value\":107.1,\"previous\":1.5,\"change\":70.4}");
    assertThat(m.get("conversionRate").toString()).isEqualTo("{\"value\":0.2857,\"previous\":0.0,\"change\":null}");
    assertThat(m.get("revenue").toString()).isEqualTo("{\"value\":45.0,\"previous\":0.0,\"change\":null}");
    assertThat(m.get("orders").toString()).isEqualTo("{\"value\":2,\"previous\":0,\"change\":null}");
    assertThat(overview.get("currency").asText()).isEqualTo("EUR");
  }

  @Test
  void botsCountOnlyWhenIncluded() throws Exception {
    StatsScope withBots = new StatsScope(FROM, TO, BERLIN, true, Map.of());
    JsonNode m = json(both(rollup -> readers.read(c -> Overview.query(c, withBots, rollup)))).get("metrics");
    // + f: one visitor, one session of 2 page views, 20 s (not a bounce)
    assertThat(m.at("/visitors/value").asLong()).isEqualTo(7);
    assertThat(m.at("/sessions/value").asLong()).isEqualTo(8);
    assertThat(m.at("/pageviews/value").asLong()).isEqualTo(11);
    assertThat(m.at("/bounceRate/value").asDouble()).isEqualTo(0.25); // 2 / 8
  }

  @Test
  void filtersSelectSessions() throws Exception {
    // channel is the session's: b's two sessions; previous period has no social session
    JsonNode social = json(both(rollup -> readers.read(c -> Overview.query(c, scope().withFilters(Map.of("channel", "social")), rollup))));
    assertThat(social.at("/metrics/visitors").toString()).isEqualTo("{\"value\":1,\"previous\":0,\"change\":null}");
    assertThat(social.at("/metrics/sessions/value").asLong()).isEqualTo(2);
    assertThat(social.at("/metrics/bounceRate/value").asDouble()).isEqualTo(1.0);
    // country is the visitor's: S1 and S4 have an event from DE (S1's Product events have no
    // country, yet they count: the filter keeps whole sessions)
    JsonNode de = json(both(rollup -> readers.read(c -> Overview.query(c, scope().withFilters(Map.of("country", "DE")), rollup))));
    assertThat(de.at("/metrics/sessions/value").asLong()).isEqualTo(2);
    assertThat(de.at("/metrics/pageviews/value").asLong()).isEqualTo(4);
    assertThat(de.at("/metrics/revenue/value").asDouble()).isEqualTo(30.0);
    // entry page (a session property): S5 (/) and S1 (/) and S4 (/)
    JsonNode home = json(both(rollup -> readers.read(c -> Overview.query(c, scope().withFilters(Map.of("entry_page", "/")), rollup))));
    assertThat(home.at("/metrics/sessions/value").asLong()).isEqualTo(3);
  }

  @Test
  void timeseriesHasEveryDayOfTheZone() throws Exception {
    JsonNode points = json(both(rollup -> readers.read(c -> Timeseries.query(c, scope(), Timeseries.Interval.DAY, rollup)))).get("points");
    // 10th (Berlin): S1, S2, S5, S6 — visitors a, b, d-phone, d-laptop; 2+1+1+1 page views; both orders
    // 11th (Berlin): S3 (00:10), S4, S8 — visitors b, c, e; 1+2+1 page views
    assertThat(points.toString()).isEqualTo("[{\"time\":\"2026-11-10\",\"visitors\":4,\"sessions\":4,\"pageviews\":5,"
        + "\"orders\":2,\"revenue\":45.0},{\"time\":\"2026-11-11\",\"visitors\":3,\"sessions\":3,\"pageviews\":4,"
        + "\"orders\":0,\"revenue\":0.0}]");
    JsonNode hours = json(both(rollup -> readers.read(c -> Timeseries.query(c, scope(), Timeseries.Interval.HOUR, rollup)))).get("points");
    assertThat(hours.size()).isEqualTo(48);
    // S1 started at 09:00 UTC = 10:00 Berlin
    assertThat(hours.get(10).toString()).isEqualTo("{\"time\":\"2026-11-10T10:00\",\"visitors\":1,\"sessions\":1,"
        + "\"pageviews\":2,\"orders\":1,\"revenue\":30.0}");
    assertThat(hours.get(11).get("sessions").asLong()).isZero();
    StatsScope long31 = new StatsScope(FROM, FROM.plusDays(31), BERLIN, false, Map.of());
    assertThatThrownBy(() -> both(rollup -> readers.read(c -> Timeseries.query(c, long31, Timeseries.Interval.HOUR, rollup))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 31 days");
  }

  @Test
  void timeseriesBucketsFollowTheZonesOffsetAcrossTheClockChange() throws Exception {
    // Berlin leaves summer time at 2026-10-25 01:00 UTC (03:00 CEST -> 02:00 CET)
    StatsScope october = new StatsScope(LocalDate.of(2026, 10, 24), LocalDate.of(2026, 10, 26), BERLIN, false, Map.of());
    // 00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET: the repeated hour is one bucket;
    // 22:30 UTC on the 24th is 00:30 CEST on the 25th; 23:30 UTC on the 25th is 00:30 CET on the 26th
    assertThat(buckets(october, Timeseries.Interval.HOUR, "2026-10-25 00:30:00", "2026-10-25 01:30:00"))
        .containsExactly("2026-10-25 02:00:00", "2026-10-25 02:00:00");
    assertThat(buckets(october, Timeseries.Interval.DAY, "2026-10-24 21:59:59", "2026-10-24 22:30:00",
        "2026-10-25 22:59:59", "2026-10-25 23:30:00"))
        .containsExactly("2026-10-24 00:00:00", "2026-10-25 00:00:00", "2026-10-25 00:00:00", "2026-10-26 00:00:00");
  }

  /** The local bucket start of each UTC start time, by {@link Timeseries#bucket}'s expression. */
  private List<String> buckets(StatsScope scope, Timeseries.Interval interval, String... utc) throws Exception {
    List<Object> params = new ArrayList<>();
    String key = Timeseries.bucket(scope, interval).bind(params);
    List<String> starts = new ArrayList<>();
    for (String t : utc) {
      List<Object> all = new ArrayList<>(params); // the key's, then the time's, in the order of the text
      all.add(t);
      starts.add(readers.read(c -> SqlRows.query(c, "SELECT strftime(" + key + ", '%Y-%m-%d %H:%M:%S') AS b"
          + " FROM (SELECT CAST(? AS TIMESTAMP) AS started_at) t", all, rs -> rs.getString("b")).get(0)));
    }
    return starts;
  }

  @Test
  void breakdownsBySessionAndEventDimensions() throws Exception {
    JsonNode channels = json(both(rollup -> readers.read(c -> Breakdowns.query(c, scope(), "channel", 10, rollup)))).get("rows");
    // direct: S4 (c), S6 (d-laptop, order 15), S8 (e): 3 visitors, 2+1+1 page views, no bounce, 1/3 converted
    // social: b's S2, S3, both bounces; then the ties at 1 visitor, 1 session by name: email, organic_search
    assertThat(channels.toString()).isEqualTo("["
        + "{\"value\":\"direct\",\"visitors\":3,\"sessions\":3,\"pageviews\":4,\"bounceRate\":0.0,\"orders\":1,"
        + "\"revenue\":15.0,\"conversionRate\":0.3333},"
        + "{\"value\":\"social\",\"visitors\":1,\"sessions\":2,\"pageviews\":2,\"bounceRate\":1.0,\"orders\":0,"
        + "\"revenue\":0.0,\"conversionRate\":0.0},"
        + "{\"value\":\"email\",\"visitors\":1,\"sessions\":1,\"pageviews\":1,\"bounceRate\":0.0,\"orders\":0,"
        + "\"revenue\":0.0,\"conversionRate\":0.0},"
        + "{\"value\":\"organic_search\",\"visitors\":1,\"sessions\":1,\"pageviews\":2,\"bounceRate\":0.0,\"orders\":1,"
        + "\"revenue\":30.0,\"conversionRate\":1.0}]");
    // "/" was viewed in S1, S4 and S5 (S7 is a bot): 3 views by 3 visitors
    JsonNode pages = json(both(rollup -> readers.read(c -> Breakdowns.query(c, scope(), "page", 1, rollup)))).get("rows");
    assertThat(pages.toString()).isEqualTo("[{\"value\":\"/\",\"visitors\":3,\"sessions\":3,\"pageviews\":3,"
        + "\"bounceRate\":0.0,\"orders\":1,\"revenue\":30.0,\"conversionRate\":0.3333}]");
    // Product Added: S1, S4, S5, S8 — one each
    JsonNode events = json(both(rollup -> readers.read(c -> Breakdowns.query(c, scope(), "event", 1, rollup)))).get("rows");
    assertThat(events.get(0).get("value").asText()).isEqualTo("Product Added");
    assertThat(events.get(0).get("events").asLong()).isEqualTo(4);
    assertThat(events.get(0).get("sessions").asLong()).isEqualTo(4);
    // exit pages: S2 /blog, S3 /pricing, S6 /checkout, S1 and S5 and S8 /p/mug or /, ...
    JsonNode exits = json(both(rollup -> readers.read(c -> Breakdowns.query(c, scope(), "exit_page", 10, rollup)))).get("rows");
    assertThat(exits.get(0).get("value").asText()).isEqualTo("/p/mug"); // S1 (a), S8 (e)
    assertThat(exits.get(0).get("sessions").asLong()).isEqualTo(2);
  }

  @Test
  void cartsAreJudgedPerPersonAcrossDevicesOnceOldEnough() throws Exception {
    // now: 12th 12:00 UTC. Carts: a (added 10th 09:02, bought 09:05: kept), d-phone (10th 12:02,
    // bought as u-d on the laptop at 20:01: kept), c (11th 08:03, no order, 27.95 h old: abandoned,
    // 80.00), e (11th 22:00:30, 13.99 h old: not judged yet).
    Instant now = Instant.parse("2026-11-12T12:00:00Z");
    JsonNode shop = json(both(rollup -> readers.read(c -> Ecommerce.query(c, scope(), 24, 20, now, rollup))));
    assertThat(shop.get("carts").toString()).isEqualTo("{\"carts\":3,\"abandoned\":1,\"rate\":0.3333,"
        + "\"abandonedValue\":80.0,\"abandonHours\":24}");
    assertThat(shop.get("revenue").asDouble()).isEqualTo(45.0);
    assertThat(shop.get("orders").asLong()).isEqualTo(2);
    assertThat(shop.get("averageOrderValue").asDouble()).isEqualTo(22.5);
    assertThat(shop.get("conversionRate").asDouble()).isEqualTo(0.2857);
    assertThat(shop.get("currency").asText()).isEqualTo("EUR");
    // SKU-1: viewed once (a), added by a, d-phone, e; bought 2 (a) + 1 (u-d) = 3 for 30 + 15
    assertThat(shop.get("products").toString()).isEqualTo("["
        + "{\"product\":\"SKU-1\",\"name\":\"Mug\",\"views\":1,\"addsToCart\":3,\"purchases\":3,\"revenue\":45.0},"
        + "{\"product\":\"SKU-2\",\"name\":\"Shoes\",\"views\":1,\"addsToCart\":1,\"purchases\":0,\"revenue\":0.0}]");
    assertThat(shop.get("searches").toString()).isEqualTo("["
        + "{\"query\":\"red shoes\",\"searches\":2,\"withClick\":1},"
        + "{\"query\":\"blue socks\",\"searches\":1,\"withClick\":1}]");

    // 48 h: only a's cart (50.97 h old) is judged; d-phone's (47.97 h) and c's are too young
    JsonNode later = json(both(rollup -> readers.read(c -> Ecommerce.query(c, scope(), 48, 20, now, rollup))));
    assertThat(later.get("carts").toString()).isEqualTo("{\"carts\":1,\"abandoned\":0,\"rate\":0.0,"
        + "\"abandonedValue\":0.0,\"abandonHours\":48}");
  }

  @Test
  void productsInAZoneOfHalfHoursAreReadFromTheEvents() throws Exception {
    // Kolkata is UTC+5:30: its days are not whole UTC hours of product_rollup, so every path
    // reads the events. The 10th..11th there is 9th 18:30 .. 11th 18:30 UTC: e's add (11th
    // 22:00:30 UTC) falls out; d-laptop's order (10th 20:01 UTC) stays.
    StatsScope kolkata = new StatsScope(FROM, TO, ZoneId.of("Asia/Kolkata"), false, Map.of());
    assertThat(Ecommerce.wholeHours(kolkata)).isFalse();
    assertThat(Ecommerce.wholeHours(scope())).isTrue();
    // SKU-1: viewed by a, added by a and d-phone, bought 2 (a) + 1 (u-d); SKU-2: c's view and add
    JsonNode products = json(both(rollup -> readers.read(c -> Ecommerce.products(c, kolkata, 10, rollup))));
    assertThat(products.toString()).isEqualTo("["
        + "{\"product\":\"SKU-1\",\"name\":\"Mug\",\"views\":1,\"addsToCart\":2,\"purchases\":3,\"revenue\":45.0},"
        + "{\"product\":\"SKU-2\",\"name\":\"Shoes\",\"views\":1,\"addsToCart\":1,\"purchases\":0,\"revenue\":0.0}]");
  }

  @Test
  void aRollupOfAnOlderShapeIsBuiltAgain() throws Exception {
    sessionRollup.close();
    try (var conn = warehouse.newConnection(); var s = conn.createStatement()) {
      // as an older version left it: no visitor_key, no product_rollup, every day marked done
      s.execute("ALTER TABLE session_rollup DROP COLUMN visitor_key");
      s.execute("DROP TABLE product_rollup");
      s.execute("DROP TABLE search_rollup");
    }
    sessionRollup = SessionRollup.manual(warehouse);
    sessionRollup.refreshNow();
    // the 7 sessions of the range and the 2 of the previous period (the bot's is not rolled up)
    assertThat(Sql.count(warehouse, "SELECT count(*) FROM session_rollup WHERE visitor_key IS NOT NULL")).isEqualTo(9);
    // SKU-1 and SKU-2 rows for the hours of their events (views, adds and orders of 6 hours)
    assertThat(Sql.count(warehouse, "SELECT count(DISTINCT product) FROM product_rollup")).isEqualTo(2);
    // c's three searches
    assertThat(Sql.count(warehouse, "SELECT count(*) FROM search_rollup")).isEqualTo(3);
    Instant now = Instant.parse("2026-11-12T12:00:00Z");
    JsonNode shop = json(both(rollup -> readers.read(c -> Ecommerce.query(c, scope(), 24, 20, now, rollup))));
    assertThat(shop.at("/products/0/purchases").asLong()).isEqualTo(3);
  }

  @Test
  void liveShowsVisitorsOfTheLastFiveMinutesAndTheirPage() throws Exception {
    // at 22:03 on the 11th only e (22:00, 22:00:30) is within five minutes
    JsonNode live = json(readers.read(c -> LiveVisitors.query(c, scope(), Instant.parse("2026-11-11T22:03:00Z"))));
    assertThat(live.toString()).isEqualTo("{\"visitors\":1,\"pages\":[{\"page\":\"/p/mug\",\"visitors\":1}],"
        + "\"window\":\"PT5M\"}");
  }

  @Test
  void dataQualityCountsBotsAndTheQuarantineByReason() throws Exception {
    JsonNode quality = json(readers.read(c -> DataQuality.query(c, scope())));
    // events in range: all seeded but the 3 of the previous period
    long events = batch.size() - 3;
    assertThat(quality.get("events").asLong()).isEqualTo(events);
    assertThat(quality.get("bots").asLong()).isEqualTo(2);
    assertThat(quality.get("quarantined").asLong()).isZero();
  }

  /** Reads every session from the rollup (the range is long past). */
  private static final Instant ALL_FROM_ROLLUP = Instant.parse("2030-01-01T00:00:00Z");
  /** The 11th (Berlin) in progress: the days before from the rollup, the 11th from the events. */
  private static final Instant DURING_THE_11TH = Instant.parse("2026-11-11T12:00:00Z");

  @FunctionalInterface
  interface Answer {
    Object get(Instant rollupUntil) throws Exception;
  }

  /**
   * The answer grouped from the events, read from the session rollup, and from both around a cut
   * in the range: all three must be the same (the rollup serves only unfiltered questions without
   * bots, and session filters; the others fall back to the events).
   */
  private static Object both(Answer answer) throws Exception {
    JsonNode fromEvents = json(answer.get(null));
    assertThat(json(answer.get(ALL_FROM_ROLLUP))).as("from the session rollup").isEqualTo(fromEvents);
    assertThat(json(answer.get(DURING_THE_11TH))).as("the rollup, then the events of the 11th").isEqualTo(fromEvents);
    return fromEvents;
  }

  @Test
  void theRollupFollowsNewEventsAndDeletions() throws Exception {
    StatsScope scope = scope();
    assertThat(json(readers.read(c -> Overview.query(c, scope, ALL_FROM_ROLLUP))).at("/metrics/sessions/value").asLong()).isEqualTo(7);
    batch.clear();
    page("h", "2026-11-11T12:00:00Z", "/", null);
    warehouse.write(new WarehouseBatch("warehouse", batch, List.of(), Map.of(0, 100L)));
    sessionRollup.refreshNow();
    assertThat(json(readers.read(c -> Overview.query(c, scope, ALL_FROM_ROLLUP))).at("/metrics/sessions/value").asLong()).isEqualTo(8);
    // b's two sessions go with b
    warehouse.deletePerson(null, "b-" + run, "test");
    sessionRollup.refreshNow();
    JsonNode after = json(both(rollup -> readers.read(c -> Overview.query(c, scope, rollup))));
    assertThat(after.at("/metrics/sessions/value").asLong()).isEqualTo(6);
    assertThat(after.at("/metrics/visitors/value").asLong()).isEqualTo(6); // 6 - b + h
    assertThat(Sql.count(warehouse, "SELECT count(*) FROM session_rollup WHERE visitor_id = ?", "b-" + run)).isZero();
    // c's searches and product events go with c: none are left, on every path
    warehouse.deletePerson(null, "c-" + run, "test");
    sessionRollup.refreshNow();
    assertThat(Sql.count(warehouse, "SELECT count(*) FROM search_rollup")).isZero();
    assertThat(json(both(rollup -> readers.read(c -> Ecommerce.searches(c, scope, 10, rollup)))).size()).isZero();
    // SKU-2 was only c's
    assertThat(json(both(rollup -> readers.read(c -> Ecommerce.products(c, scope, 10, rollup)))).size()).isEqualTo(1);
  }

  @Test
  void newEventsOfADayRegroupOnlyTheirSessionsAndLeaveWhatARebuildFromScratchWould() throws Exception {
    // The seed is rolled up as the writer left it (next offset = its size); more of the 11th is
    // written after it: a session that grows (c: a page and a search), a new one (n), a product
    // in an hour that had one (e), and a bot's page, which no rollup counts.
    offsetBase = batch.size();
    batch.clear();
    page("c", "2026-11-11T08:10:00Z", "/cart", null);
    track("c", null, "2026-11-11T08:11:00Z", "Products Searched", "{\"query\":\"hats\"}");
    page("n", "2026-11-11T09:00:00Z", "/", x -> x.channel = "social");
    track("n", null, "2026-11-11T09:01:00Z", "Order Completed", "{\"order_id\":\"o-3\",\"revenue\":12,"
        + "\"currency\":\"EUR\",\"products\":[{\"product_id\":\"SKU-3\",\"name\":\"Hat\",\"price\":12}]}");
    track("e", null, "2026-11-11T22:01:00Z", "Product Viewed", "{\"product_id\":\"SKU-1\",\"name\":\"Mug\",\"price\":15}");
    page("f", "2026-11-11T23:00:00Z", "/", x -> x.bot = true);
    warehouse.write(new WarehouseBatch("warehouse", batch, List.of(), Map.of(0, offsetBase + batch.size())));
    int refreshed = sessionRollup.refreshed;
    int rebuilt = sessionRollup.rebuilt;
    sessionRollup.refreshNow();
    assertThat(sessionRollup.refreshed).as("the 11th from its new events only").isEqualTo(refreshed + 1);
    assertThat(sessionRollup.rebuilt).as("no day whole").isEqualTo(rebuilt);
    String incremental = rollupTables();
    assertThat(incremental).contains("SKU-3").contains("hats");

    // A rollup that never saw the writer's positions rebuilds every day whole: the same tables.
    try (Statement s = WarehouseTestAccess.connection(warehouse).createStatement()) {
      s.execute("DELETE FROM session_rollup_days");
    }
    SessionRollup fromScratch = SessionRollup.manual(warehouse);
    fromScratch.refreshNow();
    assertThat(fromScratch.refreshed).isZero();
    assertThat(rollupTables()).isEqualTo(incremental);

    // A deletion is not new events: the day is rebuilt whole, and n's session goes.
    warehouse.deletePerson(null, "n-" + run, "test");
    sessionRollup.refreshNow();
    assertThat(sessionRollup.rebuilt).isEqualTo(rebuilt + 1);
    assertThat(Sql.count(warehouse, "SELECT count(*) FROM session_rollup WHERE visitor_id = ?", "n-" + run)).isZero();
  }

  /** The rollup tables' rows, sorted, as text. */
  private String rollupTables() throws SQLException {
    StringBuilder text = new StringBuilder();
    for (String table : List.of("session_rollup", "search_rollup", "product_rollup", "session_rollup_days")) {
      text.append(table).append(":\n");
      for (Map<String, Object> row : Sql.rows(warehouse, "SELECT * FROM " + table + " ORDER BY ALL")) {
        text.append(row).append('\n');
      }
    }
    return text.toString();
  }

  @Test
  void anImportOfAnOldDayShowsInTheNextPassNotOnlyInTheNextFullOne() throws Exception {
    // A running rollup on the 20th: passes every 500 ms look at yesterday and today, and a full
    // comparison of every day comes only every 30 passes (15 s). An import of an event of the
    // 11th, received on the 20th, must show within a pass or two.
    java.time.Clock onThe20th = java.time.Clock.fixed(Instant.parse("2026-11-20T10:00:00Z"), java.time.ZoneOffset.UTC);
    try (SessionRollup running = SessionRollup.start(warehouse, Duration.ofMillis(500), onThe20th)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!running.ready() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(running.ready()).isTrue();
      Thread.sleep(600); // one more pass: it notes the newest receipt
      batch.clear();
      add("imported", "2026-11-11T12:00:00Z", "{\"type\":\"page\",\"context\":{\"page\":{\"url\":\"https://shop.example/\"}}}",
          null, Instant.parse("2026-11-20T09:59:00Z").toEpochMilli());
      warehouse.write(new WarehouseBatch("warehouse", batch, List.of(), Map.of(0, 200L)));
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      long rolled = 0;
      while (rolled == 0 && System.nanoTime() < until) {
        Thread.sleep(100);
        rolled = Sql.count(warehouse, "SELECT count(*) FROM session_rollup WHERE visitor_id = ?", "imported-" + run);
      }
      assertThat(rolled).as("the imported day was rolled up within 5 s").isEqualTo(1);
    }
  }

  private static JsonNode json(Object answer) {
    return JSON.valueToTree(answer);
  }

  private void page(String visitor, String at, String path, Consumer<EnrichedEvent> tweak) {
    add(visitor, at, "{\"type\":\"page\",\"context\":{\"page\":{\"url\":\"https://shop.example" + path + "\"}}}", tweak);
  }

  private void track(String visitor, String userId, String at, String event, String properties) {
    add(visitor, at, "{\"type\":\"track\",\"event\":\"" + event + "\"" + (userId == null ? "" : ",\"userId\":\""
        + userId + "\"") + ",\"properties\":" + properties + "}", null);
  }

  private void add(String visitor, String at, String json, Consumer<EnrichedEvent> tweak) {
    add(visitor, at, json, tweak, Instant.parse(at).plusSeconds(1).toEpochMilli());
  }

  private void add(String visitor, String at, String json, Consumer<EnrichedEvent> tweak, long receivedAt) {
    String full = json.replaceFirst("\\{", "{\"anonymousId\":\"" + visitor + "-" + run + "\",\"timestamp\":\"" + at
        + "\",\"messageId\":\"" + UUID.randomUUID() + "\",");
    EnrichedEvent enriched = pipeline.process(SegmentEvents.decode(TestEvents.received("web", full, receivedAt)));
    enriched.bot = false;
    if (tweak != null) {
      tweak.accept(enriched);
    }
    batch.add(new LoggedEvent(enriched, 0, offsetBase + batch.size()));
  }
}
