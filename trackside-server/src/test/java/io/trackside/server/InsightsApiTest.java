package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.warehouse.InsightsData;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The funnel, saved-funnel, journey and attribution endpoints over real HTTP on a real node,
 * with events seeded straight into its warehouse (the queries themselves are tested in
 * FunnelsTest, JourneysTest and AttributionTest; here: the wire shapes, the round trip and the 400s).
 */
class InsightsApiTest {
  private static final String NOVEMBER = "from=2026-11-01&to=2026-11-30";

  @TempDir
  static Path dir;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir);
    try (Connection conn = node.node.warehouse().newConnection()) {
      InsightsData data = new InsightsData(conn);
      // a: / → Product Added → Order Completed (email); b: / → Product Added (social); c: / only (email).
      data.page("a", "sa", "2026-11-10T10:00:00Z", "/").channel("email").add();
      data.track("a", "sa", "2026-11-10T10:01:00Z", "Product Added").add();
      data.track("a", "sa", "2026-11-10T10:02:00Z", "Order Completed").properties("{\"revenue\": 30}").add();
      data.page("b", "sb", "2026-11-10T11:00:00Z", "/").channel("social").add();
      data.track("b", "sb", "2026-11-10T11:05:00Z", "Product Added").add();
      data.page("c", "sc", "2026-11-10T12:00:00Z", "/").channel("email").add();
    }
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void funnelOverHttp() throws Exception {
    HttpResponse<String> response = post("/api/stats/funnel?" + NOVEMBER, """
        {"steps": [{"page": "/"}, {"event": "Product Added"},
                   {"event": "Order Completed", "where": [{"property": "revenue", "op": "gt", "value": 10}]}],
         "window": "session", "breakdown": "channel"}""");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = TestNode.JSON.readTree(response.body());
    // 3 start (a, b, c), 2 add (a, b: 60 s and 300 s → median 180), 1 orders over 10 (a).
    assertThat(body.at("/steps/0/count").asLong()).isEqualTo(3);
    assertThat(body.at("/steps/1/count").asLong()).isEqualTo(2);
    assertThat(body.at("/steps/1/dropOff").asLong()).isEqualTo(1);
    assertThat(body.at("/steps/1/medianSecondsFromPrevious").asDouble()).isEqualTo(180.0);
    assertThat(body.at("/steps/2/count").asLong()).isEqualTo(1);
    assertThat(body.at("/steps/2/label").asText()).isEqualTo("Order Completed");
    // email: a, c start; a adds and orders. social: b starts and adds.
    assertThat(body.at("/breakdown/0/value").asText()).isEqualTo("email");
    assertThat(body.at("/breakdown/0/steps/2/count").asLong()).isEqualTo(1);
    assertThat(body.at("/breakdown/1/value").asText()).isEqualTo("social");
    assertThat(body.at("/breakdown/1/steps/1/count").asLong()).isEqualTo(1);
    assertThat(body.at("/window").asText()).isEqualTo("session");
  }

  @Test
  void savedFunnelRoundTrip() throws Exception {
    String funnel = """
        {"name": "Checkout", "steps": [{"page": "/"}, {"event": "Order Completed",
         "where": [{"property": "currency", "op": "eq", "value": "EUR"}]}], "window": "7d"}""";
    HttpResponse<String> saved = post("/api/funnels", funnel);
    assertThat(saved.statusCode()).as(saved.body()).isEqualTo(201);
    String id = TestNode.JSON.readTree(saved.body()).get("id").asText();

    JsonNode listed = TestNode.JSON.readTree(node.api("/api/funnels").body()).get("funnels");
    JsonNode mine = null;
    for (JsonNode f : listed) {
      if (f.get("id").asText().equals(id)) {
        mine = f;
      }
    }
    assertThat(mine).isNotNull();
    assertThat(mine.get("name").asText()).isEqualTo("Checkout");
    assertThat(mine.get("window").asText()).isEqualTo("7d");
    assertThat(mine.get("breakdown").asText()).isEqualTo("none");
    assertThat(mine.get("steps").toString()).isEqualTo("[{\"page\":\"/\"},{\"event\":\"Order Completed\","
        + "\"where\":[{\"property\":\"currency\",\"op\":\"eq\",\"value\":\"EUR\"}]}]");

    assertThat(delete("/api/funnels/" + id).statusCode()).isEqualTo(204);
    assertThat(node.api("/api/funnels").body()).doesNotContain(id);
    assertThat(delete("/api/funnels/" + id).statusCode()).isEqualTo(404);
  }

  @Test
  void badFunnelsAre400s() throws Exception {
    StringBuilder eleven = new StringBuilder("{\"steps\": [");
    for (int i = 0; i < 11; i++) {
      eleven.append(i == 0 ? "" : ",").append("{\"page\": \"/p").append(i).append("\"}");
    }
    eleven.append("]}");
    String[] bodies = {
        "not json",
        "",
        "[]",
        "{\"window\": \"session\"}",
        "{\"steps\": [{\"page\": \"/\"}]}",
        eleven.toString(),
        "{\"steps\": [{\"page\": \"/\"}, {\"event\": \"X\", \"where\": [{\"property\": \"a\", \"op\": \"like\", \"value\": \"b\"}]}]}",
        "{\"steps\": [{\"page\": \"/\"}, {\"event\": \"X\", \"where\": [{\"property\": \"a\", \"op\": \"gt\", \"value\": \"ten\"}]}]}",
        "{\"steps\": [{\"page\": \"/\"}, {\"event\": \"X\", \"where\": [{\"property\": \"a\", \"op\": \"eq\", \"value\": {}}]}]}",
        "{\"steps\": [{\"page\": \"/\"}, {\"event\": \"X\", \"page\": \"/x\"}]}",
        "{\"steps\": [{\"page\": \"/\"}, {\"event\": \"X\"}], \"window\": \"7x\"}",
        "{\"steps\": [{\"page\": \"/\"}, {\"event\": \"X\"}], \"window\": \"0d\"}",
        "{\"steps\": [{\"page\": \"/\"}, {\"event\": \"X\"}], \"breakdown\": \"country\"}",
        "{\"steps\": [{\"page\": \"/\"}, {\"event\": \"X\"}], \"windows\": \"session\"}",
    };
    for (String body : bodies) {
      HttpResponse<String> response = post("/api/stats/funnel?" + NOVEMBER, body);
      assertThat(response.statusCode()).as(body + " → " + response.body()).isEqualTo(400);
      assertThat(TestNode.JSON.readTree(response.body()).get("message").asText()).as(body).isNotBlank();
    }
    // The scope stays in the query string and is checked as everywhere.
    assertThat(post("/api/stats/funnel?period=forever", "{\"steps\": [{\"page\": \"/\"}, {\"page\": \"/x\"}]}")
        .statusCode()).isEqualTo(400);
    // A saved funnel needs a name.
    assertThat(post("/api/funnels", "{\"steps\": [{\"page\": \"/\"}, {\"page\": \"/x\"}]}").statusCode())
        .isEqualTo(400);
    // Bodies are bounded.
    String huge = "{\"steps\": [{\"page\": \"" + "x".repeat(100_000) + "\"}, {\"page\": \"/\"}]}";
    HttpResponse<String> tooLarge = post("/api/stats/funnel?" + NOVEMBER, huge);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.body()).contains("\"code\":\"body_too_large\"");
  }

  @Test
  void journeysOverHttp() throws Exception {
    HttpResponse<String> response = node.api("/api/stats/journeys?" + NOVEMBER + "&start="
        + URLEncoder.encode("page:/", StandardCharsets.UTF_8) + "&direction=next&depth=2");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = TestNode.JSON.readTree(response.body());
    // From /: a and b add a product next (2 of 3), c leaves. a then orders.
    assertThat(body.at("/start").asText()).isEqualTo("page:/");
    assertThat(body.at("/top/0/label").asText()).isEqualTo("Product Added");
    assertThat(body.at("/top/0/sessions").asLong()).isEqualTo(2);
    assertThat(body.at("/top/0/share").asDouble()).isEqualTo(2.0 / 3);
    assertThat(body.at("/links").toString()).contains("{\"source\":\"1:Product Added\",\"target\":\"2:Order Completed\",\"sessions\":1}");

    for (String bad : new String[] {"", "&start=pricing", "&start=page:/&depth=6", "&start=page:/&depth=x",
        "&start=page:/&direction=sideways", "&start=page:"}) {
      assertThat(node.api("/api/stats/journeys?" + NOVEMBER + bad.replace(":/", "%3A%2F")).statusCode()).as(bad)
          .isEqualTo(400);
    }
  }

  @Test
  void attributionOverHttp() throws Exception {
    HttpResponse<String> response = node.api("/api/stats/attribution?" + NOVEMBER
        + "&model=position_based&by=channel&lookbackDays=30");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = TestNode.JSON.readTree(response.body());
    // One order (a, 30), one touch (its own email session): all to email.
    assertThat(body.at("/rows/0/value").asText()).isEqualTo("email");
    assertThat(body.at("/rows/0/conversions").asDouble()).isEqualTo(1.0);
    assertThat(body.at("/rows/0/revenue").asDouble()).isEqualTo(30.0);
    assertThat(body.at("/total/conversions").asLong()).isEqualTo(1);
    assertThat(body.at("/total/revenue").asDouble()).isEqualTo(30.0);
    for (String bad : new String[] {"&model=u_shaped", "&by=country", "&lookbackDays=0", "&lookbackDays=366",
        "&lookbackDays=x"}) {
      assertThat(node.api("/api/stats/attribution?" + NOVEMBER + bad).statusCode()).as(bad).isEqualTo(400);
    }
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url(path)))
        .header("Authorization", "Bearer " + TestNode.ADMIN_TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static HttpResponse<String> delete(String path) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url(path)))
        .header("Authorization", "Bearer " + TestNode.ADMIN_TOKEN).DELETE().build());
  }
}
