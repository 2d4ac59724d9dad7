package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /api/stats/... on a real node (zone Europe/Berlin) after events sent through the Segment
 * API two minutes ago: x views / and /cart 20 s apart (2 page views, not a bounce); y views / and
 * orders for 20 EUR (1 page view, an order: not a bounce); Googlebot views / (a bot). The numbers
 * of each query were worked out in StatsQueriesTest; here the HTTP side: parameters, errors, the
 * token, the open OpenAPI file, and that the node's wiring reaches the counters and the lag.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsApiTest {
  static final String CHROME =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36";
  static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

  private TestNode node;

  @BeforeAll
  void startAndSend(@TempDir Path dir) throws Exception {
    node = TestNode.start(dir, Map.of("sessions.time-zone", "Europe/Berlin"));
    Instant t = Instant.now().minus(2, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    String batch = "{\"batch\":["
        + event("x", t, "page", "/", null) + ","
        + event("x", t.plusSeconds(20), "page", "/cart", null) + ","
        + event("y", t, "page", "/", null) + ","
        + event("y", t.plusSeconds(30), "track", "/", "\"event\":\"Order Completed\",\"properties\":{\"revenue\":20,"
        + "\"currency\":\"EUR\"}") + ","
        + event("bot", t, "page", "/", null).replace(CHROME, GOOGLEBOT) + "]}";
    assertThat(node.post("/v1/batch", batch).statusCode()).isEqualTo(200);
    node.eventsUntil("?limit=10", events -> events.size() == 5);
    // Today's sessions are grouped from the events; only if these fell on yesterday (a run just
    // after midnight) would they come from the session rollup, which follows within a pass (5 s).
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (ok("/api/stats/overview?period=2d").at("/metrics/sessions/value").asLong() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
  }

  @AfterAll
  void stop() {
    node.close();
  }

  private static String event(String visitor, Instant at, String type, String path, String more) {
    return "{\"type\":\"" + type + "\",\"messageId\":\"" + UUID.randomUUID() + "\",\"anonymousId\":\"" + visitor + "\","
        + "\"timestamp\":\"" + at + "\",\"context\":{\"userAgent\":\"" + CHROME + "\",\"page\":{\"url\":"
        + "\"https://shop.example" + path + "\"}}" + (more == null ? "" : "," + more) + "}";
  }

  private JsonNode ok(String pathAndQuery) throws Exception {
    HttpResponse<String> response = node.api(pathAndQuery);
    assertThat(response.statusCode()).as(pathAndQuery + " → " + response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return TestNode.JSON.readTree(response.body());
  }

  @Test
  void overviewTimeseriesBreakdownLiveAndEcommerceAnswer() throws Exception {
    // "2d": today and yesterday in Berlin, so a run just after midnight still sees the events
    JsonNode overview = ok("/api/stats/overview?period=2d");
    assertThat(overview.at("/range/timeZone").asText()).isEqualTo("Europe/Berlin");
    assertThat(overview.at("/metrics/visitors/value").asLong()).isEqualTo(2);
    assertThat(overview.at("/metrics/sessions/value").asLong()).isEqualTo(2);
    assertThat(overview.at("/metrics/pageviews/value").asLong()).isEqualTo(3);
    assertThat(overview.at("/metrics/bounceRate/value").asDouble()).isEqualTo(0.0);
    assertThat(overview.at("/metrics/conversionRate/value").asDouble()).isEqualTo(0.5);
    assertThat(overview.at("/metrics/revenue/value").asDouble()).isEqualTo(20.0);
    assertThat(overview.at("/metrics/visitors/change").isNull()).isTrue(); // nothing the two days before
    assertThat(overview.get("currency").asText()).isEqualTo("EUR");

    assertThat(ok("/api/stats/overview?period=2d&bots=include").at("/metrics/visitors/value").asLong()).isEqualTo(3);
    assertThat(ok("/api/stats/overview?period=2d&filter.page=%2Fcart").at("/metrics/visitors/value").asLong())
        .isEqualTo(1);

    JsonNode days = ok("/api/stats/timeseries?period=2d").get("points");
    assertThat(days.size()).isEqualTo(2);
    assertThat(days.get(0).get("sessions").asLong() + days.get(1).get("sessions").asLong()).isEqualTo(2);
    assertThat(ok("/api/stats/timeseries?period=today&interval=hour").get("points").size()).isBetween(23, 25);

    JsonNode pages = ok("/api/stats/breakdown/page?period=2d&limit=1");
    assertThat(pages.get("rows").toString()).startsWith("[{\"value\":\"/\",\"visitors\":2,\"sessions\":2,\"pageviews\":2,");

    // each visitor's latest page: x on /cart, y on /; the bot left out
    JsonNode live = ok("/api/stats/live");
    assertThat(live.toString()).isEqualTo("{\"visitors\":2,\"pages\":[{\"page\":\"/\",\"visitors\":1},"
        + "{\"page\":\"/cart\",\"visitors\":1}],\"window\":\"PT5M\"}");

    JsonNode shop = ok("/api/stats/ecommerce?period=2d&abandonHours=12");
    assertThat(shop.get("orders").asLong()).isEqualTo(1);
    assertThat(shop.get("averageOrderValue").asDouble()).isEqualTo(20.0);
    assertThat(shop.at("/carts/abandonHours").asInt()).isEqualTo(12);
  }

  @Test
  void qualityShowsCountersWarehouseDestinationsAndLag() throws Exception {
    JsonNode quality = ok("/api/stats/quality?period=2d");
    assertThat(quality.at("/ingest/received").asLong()).isEqualTo(5);
    assertThat(quality.at("/ingest/stored").asLong()).isEqualTo(5);
    assertThat(quality.at("/ingest/quarantined").asLong()).isZero();
    assertThat(quality.at("/warehouse/events").asLong()).isEqualTo(5);
    assertThat(quality.at("/warehouse/bots").asLong()).isEqualTo(1);
    assertThat(quality.at("/warehouse/botShare").asDouble()).isEqualTo(0.2);
    assertThat(quality.get("destinations").isArray()).isTrue();
    assertThat(quality.get("pipelineLag").asLong()).isZero();
    assertThat(quality.at("/sessionRollup/ready").asBoolean()).isTrue();
  }

  @Test
  void badParametersAre400sThatSayWhatIsWrong() throws Exception {
    Map<String, String> cases = Map.ofEntries(
        Map.entry("/api/stats/overview?period=0d", "period must be"),
        Map.entry("/api/stats/overview?period=week", "period must be"),
        Map.entry("/api/stats/overview?from=2026-11-01", "give both from and to"),
        Map.entry("/api/stats/overview?from=2026-13-01&to=2026-13-02", "from must be a day"),
        Map.entry("/api/stats/overview?from=2026-11-02&to=2026-11-01", "before"),
        Map.entry("/api/stats/overview?bots=maybe", "bots must be"),
        Map.entry("/api/stats/overview?filter.password=x", "cannot filter by 'password'"),
        Map.entry("/api/stats/breakdown/password", "no dimension 'password'"),
        Map.entry("/api/stats/breakdown/page?limit=0", "limit must be"),
        Map.entry("/api/stats/breakdown/page?limit=ten", "limit must be"),
        Map.entry("/api/stats/timeseries?interval=week", "interval must be day or hour"),
        Map.entry("/api/stats/timeseries?interval=hour&period=90d", "at most 31 days"),
        Map.entry("/api/stats/ecommerce?abandonHours=0", "abandonHours must be"));
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> response = node.api(c.getKey());
      assertThat(response.statusCode()).as(c.getKey() + " → " + response.body()).isEqualTo(400);
      JsonNode error = TestNode.JSON.readTree(response.body());
      assertThat(error.get("code").asText()).isEqualTo("invalid_parameter");
      assertThat(error.get("message").asText()).as(c.getKey()).contains(c.getValue());
    }
    // A filter value is a bound parameter, never SQL: nothing matches, nothing breaks.
    String hostile = URLEncoder.encode("/' OR '1'='1", StandardCharsets.UTF_8);
    assertThat(ok("/api/stats/overview?period=2d&filter.page=" + hostile).at("/metrics/sessions/value").asLong())
        .isZero();
  }

  @Test
  void statsNeedTheTokenButTheOpenApiFileIsOpen() throws Exception {
    for (String path : List.of("/api/stats/overview", "/api/stats/live", "/api/stats/quality")) {
      HttpResponse<String> response = node.send(HttpRequest.newBuilder(URI.create(node.url(path))).GET().build());
      assertThat(response.statusCode()).as(path).isEqualTo(401);
      HttpResponse<String> wrong = node.send(HttpRequest.newBuilder(URI.create(node.url(path)))
          .header("Authorization", "Bearer wrong").GET().build());
      assertThat(wrong.statusCode()).as(path).isEqualTo(401);
    }
    HttpResponse<String> openapi = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/openapi.yaml"))).GET().build());
    assertThat(openapi.statusCode()).isEqualTo(200);
    assertThat(openapi.headers().firstValue("Content-Type").orElse("")).startsWith("application/yaml");
    assertThat(openapi.body()).startsWith("openapi: 3.");
    for (String path : List.of("/api/stats/overview:", "/api/stats/timeseries:", "/api/stats/breakdown/{dimension}:",
        "/api/stats/live:", "/api/live/stream:", "/api/stats/ecommerce:", "/api/stats/funnel:", "/api/funnels:",
        "/api/funnels/{id}:", "/api/stats/journeys:", "/api/stats/attribution:", "/api/stats/quality:")) {
      assertThat(openapi.body()).as(path).contains("\n  " + path + "\n");
    }
  }

  /**
   * The OpenAPI file against the server: every documented operation exists (no 404 for a missing
   * route), and leaving out a documented required query parameter is a 400 naming it — so a
   * parameter documented under another name than the code reads fails here.
   */
  @Test
  void everyDocumentedOperationExistsAndReadsItsRequiredParameters() throws Exception {
    String yaml = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/openapi.yaml"))).GET().build()).body();
    JsonNode paths = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readTree(yaml).get("paths");
    int checked = 0;
    for (var path : (Iterable<Map.Entry<String, JsonNode>>) paths::fields) {
      if (path.getKey().equals("/api/live/stream")) {
        continue; // a stream that stays open; LiveStreamTest covers it
      }
      String concrete = path.getKey().replace("{dimension}", "channel").replace("{id}", "no-such-funnel");
      for (String method : List.of("get", "post", "delete")) {
        JsonNode operation = path.getValue().get(method);
        if (operation == null) {
          continue;
        }
        HttpResponse<String> answer = node.api(method.toUpperCase(java.util.Locale.ROOT), concrete, "{}");
        assertThat(answer.body()).as(method + " " + concrete).doesNotContain("no such endpoint");
        checked++;
        for (JsonNode parameter : operation.path("parameters")) {
          if (parameter.path("in").asText().equals("query") && parameter.path("required").asBoolean()) {
            HttpResponse<String> without = node.api(method.toUpperCase(java.util.Locale.ROOT), concrete, "{}");
            assertThat(without.statusCode()).as(method + " " + concrete + " without " + parameter.get("name")).isEqualTo(400);
            assertThat(without.body()).as("the 400 names the parameter").contains(parameter.get("name").asText());
          }
        }
      }
    }
    assertThat(checked).as("operations checked").isGreaterThanOrEqualTo(12);
  }
}
