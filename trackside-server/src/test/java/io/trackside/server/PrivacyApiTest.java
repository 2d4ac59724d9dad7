package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.warehouse.Sql;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Erasure, suppression and cookieless ids through real HTTP, the real log and DuckDB, across a restart. */
class PrivacyApiTest {

  private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"
      + " (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
  private static final Pattern SUPPRESSED =
      Pattern.compile("trackside_pipeline_dropped_total\\{reason=\"suppressed\",?}\\s+(\\S+)");

  @TempDir
  Path dir;

  private static String id() {
    return UUID.randomUUID().toString();
  }

  private static HttpResponse<String> delete(TestNode node, String body, boolean authorised) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url("/api/privacy/delete")))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorised) {
      request.header("Authorization", "Bearer " + TestNode.ADMIN_TOKEN);
    }
    return node.send(request.build());
  }

  private static double suppressedDrops(TestNode node) throws Exception {
    String metrics = node.send(HttpRequest.newBuilder(URI.create(node.url("/metrics"))).GET().build()).body();
    Matcher m = SUPPRESSED.matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static void awaitDrops(TestNode node, double expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (suppressedDrops(node) < expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(suppressedDrops(node)).isEqualTo(expected);
  }

  private static List<String> ids(JsonNode events, String field) {
    List<String> ids = new ArrayList<>();
    events.forEach(e -> ids.add(e.path(field).asText(null)));
    return ids;
  }

  @Test
  void deletingAUserErasesThemEverywhereAuditsItAndDropsWhatTheySendLater() throws Exception {
    String marker = id();
    try (TestNode node = TestNode.start(dir)) {
      HttpResponse<String> sent = node.post("/v1/batch", """
          {"batch":[
            {"type":"page","anonymousId":"jo-laptop","context":{"page":{"url":"https://shop.example/"}}},
            {"type":"identify","anonymousId":"jo-laptop","userId":"user-jo","traits":{"email":"jo@example.com"}},
            {"type":"track","userId":"user-jo","event":"Order Completed","properties":{"revenue":80}},
            {"type":"track","userId":"user-jo","properties":{"forgot":"the event name"}},
            {"type":"page","anonymousId":"someone-else","messageId":"%s"}
          ]}""".formatted(marker));
      assertThat(sent.statusCode()).isEqualTo(200);
      node.eventsUntil("?limit=100", e -> e.size() == 4);
      node.quarantineUntil(q -> q.size() == 1);
      assertThat(Sql.count(node.node.warehouse(), "SELECT count(*) FROM identities")).isEqualTo(1);

      assertThat(delete(node, "{\"userId\":\"user-jo\"}", false).statusCode()).isEqualTo(401);
      assertThat(delete(node, "{}", true).statusCode()).isEqualTo(400);
      assertThat(delete(node, "{\"userId\":\"a\",\"anonymousId\":\"b\"}", true).statusCode()).isEqualTo(400);
      assertThat(delete(node, "{\"userId\":[\"a\"]}", true).statusCode()).isEqualTo(400);
      assertThat(delete(node, "not json", true).statusCode()).isEqualTo(400);

      HttpResponse<String> answer = delete(node, "{\"userId\":\"user-jo\"}", true);
      assertThat(answer.statusCode()).isEqualTo(200);
      JsonNode result = TestNode.JSON.readTree(answer.body());
      assertThat(result.at("/deleted/events").asLong()).isEqualTo(3);
      assertThat(result.at("/deleted/quarantine").asLong()).isEqualTo(1);
      assertThat(result.at("/deleted/identities").asLong()).isEqualTo(1);
      assertThat(result.get("anonymousIds").toString()).isEqualTo("[\"jo-laptop\"]");
      assertThat(result.get("suppressed").asInt()).isEqualTo(2);

      assertThat(ids(node.eventsUntil("?limit=100", e -> true), "anonymous_id")).containsExactly("someone-else");
      assertThat(node.quarantineUntil(q -> true)).isEmpty();
      assertThat(Sql.count(node.node.warehouse(), "SELECT count(*) FROM identities")).isZero();
      JsonNode audit = TestNode.JSON.readTree(node.api("/api/privacy/audit").body()).get("audit");
      assertThat(audit).hasSize(1);
      assertThat(audit.get(0).get("actor").asText()).isEqualTo("admin");
      assertThat(audit.get(0).get("events_deleted").asLong()).isEqualTo(3);
      assertThat(audit.get(0).get("request").asText()).isEqualTo("{\"userId\":\"user-jo\"}");

      // They come back, on the known device and by user id: dropped, counted, never stored.
      node.post("/v1/batch", """
          {"batch":[
            {"type":"page","anonymousId":"jo-laptop","context":{"page":{"url":"https://shop.example/again"}}},
            {"type":"track","userId":"user-jo","event":"Product Viewed"},
            {"type":"track","userId":"user-jo"},
            {"type":"page","anonymousId":"someone-else"}
          ]}""");
      awaitDrops(node, 3);
      node.eventsUntil("?limit=100", e -> e.size() == 2);
      assertThat(ids(node.eventsUntil("?limit=100", e -> true), "anonymous_id")).containsOnly("someone-else");
      assertThat(node.quarantineUntil(q -> true)).isEmpty();
    }
    // The suppression outlives a restart (and so a replay of the raw log).
    try (TestNode node = TestNode.start(dir)) {
      node.post("/v1/track", "{\"userId\":\"user-jo\",\"event\":\"Signed In\"}");
      awaitDrops(node, 1);
      assertThat(ids(node.eventsUntil("?limit=100", e -> true), "user_id")).doesNotContain("user-jo");
      assertThat(TestNode.JSON.readTree(node.api("/api/privacy/audit?limit=5").body()).get("audit")).hasSize(1);
      assertThat(node.api("/api/privacy/audit?limit=0").statusCode()).isEqualTo(400);
    }
  }

  @Test
  void cookielessVisitorsKeepTheirIdAndSessionAcrossARestartTheSameDay() throws Exception {
    String first = id();
    String second = id();
    JsonNode before;
    try (TestNode node = TestNode.start(dir)) {
      assertThat(postCookieless(node, first, "https://shop.example/").statusCode()).isEqualTo(200);
      before = find(node.eventsUntil("?limit=100", e -> find(e, first) != null), first);
    }
    try (TestNode node = TestNode.start(dir)) {
      assertThat(postCookieless(node, second, "https://shop.example/cart").statusCode()).isEqualTo(200);
      JsonNode after = find(node.eventsUntil("?limit=100", e -> find(e, second) != null), second);
      assertThat(after.get("visitor_id").asText()).matches("[0-9a-f]{32}").isEqualTo(before.get("visitor_id").asText());
      assertThat(after.get("session_id").asText()).isEqualTo(before.get("session_id").asText());
      assertThat(after.get("session_number").asInt()).isEqualTo(1);
      assertThat(after.get("anonymous_id").isNull()).isTrue();
      assertThat(after.get("ip").asText()).isEqualTo("127.0.0.0");
      assertThat(after.get("context").toString()).doesNotContain("127.0.0.1");
    }
  }

  private static HttpResponse<String> postCookieless(TestNode node, String messageId, String url) throws Exception {
    String body = """
        {"messageId":"%s","timestamp":"%s",
         "context":{"trackside":{"cookieless":true},"page":{"url":"%s"}}}""".formatted(messageId, Instant.now(), url);
    return node.send(HttpRequest.newBuilder(URI.create(node.url("/v1/page")))
        .header("Authorization", TestNode.basic(TestNode.WRITE_KEY)).header("User-Agent", CHROME)
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static JsonNode find(JsonNode events, String messageId) {
    for (JsonNode e : events) {
      if (messageId.equals(e.path("message_id").asText())) {
        return e;
      }
    }
    return null;
  }
}
