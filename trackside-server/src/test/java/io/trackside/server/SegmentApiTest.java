package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Segment HTTP API through real HTTP into the real log and DuckDB. */
class SegmentApiTest {
  @TempDir
  static Path dir;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    return TestNode.JSON.readTree(response.body());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(node.url(path)));
  }

  @Test
  void aTrackEventIsAcknowledgedAndQueryableWithItsFields() throws Exception {
    String messageId = id();
    HttpResponse<String> response = node.post("/v1/track", """
        {"event":"Product Viewed","anonymousId":"anon-1","messageId":"%s",
         "properties":{"product_id":"sku-1","price":19.99},
         "context":{"page":{"url":"https://shop.example/p/sku-1?utm_source=news&utm_medium=email","title":"Sku 1",
           "referrer":"https://www.google.com/"},"userAgent":"Mozilla/5.0 Test","locale":"de-DE","ip":"203.0.113.77"},
         "timestamp":"2026-11-28T10:00:00.000Z","sentAt":"2026-11-28T10:00:05.000Z"}""".formatted(messageId));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("success").asBoolean()).isTrue();

    JsonNode events = node.eventsUntil("?event=Product%20Viewed&limit=1000",
        e -> findMessage(e, messageId) != null);
    JsonNode event = findMessage(events, messageId);
    assertThat(event).as("event %s in /api/events", messageId).isNotNull();
    assertThat(event.get("type").asText()).isEqualTo("track");
    assertThat(event.get("source").asText()).isEqualTo("default");
    assertThat(event.get("anonymous_id").asText()).isEqualTo("anon-1");
    assertThat(event.get("page_path").asText()).isEqualTo("/p/sku-1");
    assertThat(event.get("page_title").asText()).isEqualTo("Sku 1");
    assertThat(event.get("utm_source").asText()).isEqualTo("news");
    assertThat(event.get("utm_medium").asText()).isEqualTo("email");
    assertThat(event.get("locale").asText()).isEqualTo("de-DE");
    assertThat(event.get("user_agent").asText()).isEqualTo("Mozilla/5.0 Test");
    assertThat(event.get("ip").asText()).isEqualTo("203.0.113.0");
    assertThat(event.at("/properties/product_id").asText()).isEqualTo("sku-1");
    assertThat(event.get("original_timestamp").asText()).startsWith("2026-11-28T10:00");
    // timestamp = receivedAt − (sentAt − originalTimestamp): five seconds before it was received
    java.time.Instant received = java.time.Instant.parse(event.get("received_at").asText());
    java.time.Instant corrected = java.time.Instant.parse(event.get("timestamp").asText());
    assertThat(java.time.Duration.between(corrected, received).toMillis()).isBetween(4990L, 5010L);
  }

  @Test
  void writeKeysComeFromBasicAuthWithOrWithoutColonOrFromTheBody() throws Exception {
    String noColon = "Basic " + java.util.Base64.getEncoder().encodeToString(TestNode.WRITE_KEY.getBytes(StandardCharsets.UTF_8));
    assertThat(node.send(request("/v1/identify").header("Authorization", noColon)
        .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"u-nc\"}")).build()).statusCode()).isEqualTo(200);
    // analytics.js: text/plain, key in the body, short path
    HttpResponse<String> body = node.send(request("/v1/p").header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{\"writeKey\":\"" + TestNode.WRITE_KEY + "\",\"anonymousId\":\"a\",\"name\":\"Home\"}")).build());
    assertThat(body.statusCode()).isEqualTo(200);
    HttpResponse<String> unknown = node.send(request("/v1/track").header("Authorization", TestNode.basic("nope"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"u\",\"event\":\"e\"}")).build());
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(json(unknown).get("code").asText()).isEqualTo("unauthorized");
    HttpResponse<String> missing = node.send(request("/v1/track")
        .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"u\",\"event\":\"e\"}")).build());
    assertThat(missing.statusCode()).isEqualTo(401);
    HttpResponse<String> wrongInBody = node.send(request("/v1/t")
        .POST(HttpRequest.BodyPublishers.ofString("{\"writeKey\":\"nope\",\"userId\":\"u\",\"event\":\"e\"}")).build());
    assertThat(wrongInBody.statusCode()).isEqualTo(401);
  }

  @Test
  void everyPathFormIsAccepted() throws Exception {
    String single = "{\"userId\":\"u\",\"event\":\"e\",\"groupId\":\"g\",\"previousId\":\"p\",\"name\":\"n\"}";
    for (String path : new String[] {"/v1/track", "/v1/t", "/v1/page", "/v1/p", "/v1/screen", "/v1/s", "/v1/identify",
        "/v1/i", "/v1/group", "/v1/g", "/v1/alias", "/v1/a", "/v1/track/"}) {
      assertThat(node.post(path, single).statusCode()).as(path).isEqualTo(200);
    }
    String batch = "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\"}]}";
    for (String path : new String[] {"/v1/batch", "/v1/b", "/v1/import", "/v1/import/"}) {
      assertThat(node.post(path, batch).statusCode()).as(path).isEqualTo(200);
    }
    assertThat(node.post("/v1/rocket", single).statusCode()).isEqualTo(404);
  }

  @Test
  void aBadEventInABatchIsQuarantinedWithItsReasonAndTheOthersAreStored() throws Exception {
    String good1 = id();
    String good2 = id();
    String bad = id();
    HttpResponse<String> response = node.post("/v1/batch", """
        {"batch":[
          {"type":"track","event":"Batch Good","userId":"u1","messageId":"%s"},
          {"type":"track","userId":"u1","messageId":"%s"},
          {"type":"track","event":"Batch Good","anonymousId":"a2","messageId":"%s"}],
         "context":{"library":{"name":"test-lib","version":"9"}}}""".formatted(good1, bad, good2));
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode events = node.eventsUntil("?event=Batch%20Good&limit=1000",
        e -> findMessage(e, good1) != null && findMessage(e, good2) != null);
    assertThat(findMessage(events, good1).get("library_name").asText()).isEqualTo("test-lib");
    assertThat(findMessage(events, good2)).isNotNull();
    JsonNode quarantine = node.quarantineUntil(rows -> findMessage(rows, bad) != null);
    JsonNode row = findMessage(quarantine, bad);
    assertThat(row).isNotNull();
    assertThat(row.get("reason").asText()).isEqualTo("missing_event");
    assertThat(row.get("payload").asText()).contains(bad);
  }

  @Test
  void theSameMessageIdSentTwiceIsStoredOnce() throws Exception {
    String messageId = id();
    String body = "{\"event\":\"Retried\",\"userId\":\"u-r\",\"messageId\":\"" + messageId + "\"}";
    assertThat(node.post("/v1/track", body).statusCode()).isEqualTo(200);
    assertThat(node.post("/v1/track", body).statusCode()).isEqualTo(200);
    String marker = id();
    node.post("/v1/track", "{\"event\":\"Retried\",\"userId\":\"u-r\",\"messageId\":\"" + marker + "\"}");
    JsonNode events = node.eventsUntil("?event=Retried&limit=1000", e -> findMessage(e, marker) != null);
    int copies = 0;
    for (JsonNode event : events) {
      copies += event.get("message_id").asText().equals(messageId) ? 1 : 0;
    }
    assertThat(copies).isEqualTo(1);
  }

  @Test
  void gzipBodiesAreInflatedAndBombsAreRefused() throws Exception {
    String messageId = id();
    byte[] gz = gzip(("{\"event\":\"Zipped\",\"userId\":\"u\",\"messageId\":\"" + messageId + "\"}").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> ok = node.send(request("/v1/track").header("Authorization", TestNode.basic(TestNode.WRITE_KEY))
        .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(gz)).build());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(findMessage(node.eventsUntil("?event=Zipped", e -> findMessage(e, messageId) != null), messageId)).isNotNull();

    byte[] bomb = gzip(new byte[50 * 1024 * 1024]); // 50 MB of zeros in ~50 KB
    assertThat(bomb.length).isLessThan(500 * 1024);
    HttpResponse<String> refused = node.send(request("/v1/batch").header("Authorization", TestNode.basic(TestNode.WRITE_KEY))
        .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(bomb)).build());
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(json(refused).get("code").asText()).isEqualTo("request_too_large");

    HttpResponse<String> notGzip = node.send(request("/v1/track").header("Authorization", TestNode.basic(TestNode.WRITE_KEY))
        .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofString("{\"plain\":true}")).build());
    assertThat(notGzip.statusCode()).isEqualTo(400);
    assertThat(json(notGzip).get("code").asText()).isEqualTo("invalid_gzip");
  }

  @Test
  void badRequestsGetA400WithCodeAndMessageAndTheServerStaysUp() throws Exception {
    String[][] cases = {
        {"/v1/batch", "{\"batch\":[", "invalid_json"},
        {"/v1/track", "not json at all", "invalid_json"},
        {"/v1/track", "", "invalid_json"},
        {"/v1/batch", "{\"batch\":\"nope\"}", "invalid_batch"},
        {"/v1/track", "{\"userId\":\"u\",\"event\":\"e\",\"properties\":" + "[".repeat(5000) + "]".repeat(5000) + "}", "invalid_json"},
        {"/v1/track", "{\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"p\":\"" + "x".repeat(40_000) + "\"}}", "event_too_large"},
        {"/v1/batch", "{\"batch\":[{\"p\":\"" + "x".repeat(600 * 1024) + "\"}]}", "request_too_large"},
    };
    for (String[] c : cases) {
      HttpResponse<String> response = node.post(c[0], c[1]);
      assertThat(response.statusCode()).as(c[2]).isEqualTo(400);
      JsonNode error = json(response);
      assertThat(error.get("code").asText()).as(c[2]).isEqualTo(c[2]);
      assertThat(error.get("message").asText()).isNotBlank();
    }
    byte[] invalidUtf8 = {'{', '"', 'u', 's', 'e', 'r', 'I', 'd', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}'};
    HttpResponse<String> utf8 = node.send(request("/v1/identify").header("Authorization", TestNode.basic(TestNode.WRITE_KEY))
        .POST(HttpRequest.BodyPublishers.ofByteArray(invalidUtf8)).build());
    assertThat(utf8.statusCode()).isEqualTo(400);
    StringBuilder tooMany = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < 2501; i++) {
      tooMany.append(i == 0 ? "" : ",").append("{\"type\":\"identify\",\"userId\":\"u\"}");
    }
    HttpResponse<String> batch = node.post("/v1/batch", tooMany.append("]}").toString());
    assertThat(batch.statusCode()).isEqualTo(400);
    assertThat(json(batch).get("code").asText()).isEqualTo("batch_too_large");

    assertThat(node.post("/v1/track", "{\"userId\":\"u\",\"event\":\"still up\"}").statusCode()).isEqualTo(200);
    assertThat(node.send(request("/healthz").GET().build()).statusCode()).isEqualTo(200);
  }

  @Test
  void browsersGetCorsIncludingThePreflight() throws Exception {
    HttpResponse<String> preflight = node.send(request("/v1/t").header("Origin", "https://shop.example")
        .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "content-type")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://shop.example");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase()).contains("content-type");
    HttpResponse<String> post = node.send(request("/v1/t").header("Origin", "https://shop.example")
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{\"writeKey\":\"" + TestNode.WRITE_KEY + "\",\"userId\":\"u\",\"event\":\"cors\"}")).build());
    assertThat(post.statusCode()).isEqualTo(200);
    assertThat(post.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://shop.example");
  }

  @Test
  void theApiNeedsTheAdminTokenAndChecksItsParameters() throws Exception {
    assertThat(node.send(request("/api/events").GET().build()).statusCode()).isEqualTo(401);
    assertThat(node.send(request("/api/events").header("Authorization", "Bearer wrong-token-wrong-token").GET().build())
        .statusCode()).isEqualTo(401);
    assertThat(node.send(request("/api/events").header("Authorization", TestNode.basic(TestNode.WRITE_KEY)).GET().build())
        .statusCode()).as("a write key is not an admin token").isEqualTo(401);
    assertThat(node.api("/api/events?limit=10000").statusCode()).isEqualTo(200);
    assertThat(node.api("/api/events?limit=10001").statusCode()).isEqualTo(400);
    assertThat(node.api("/api/events?limit=abc").statusCode()).isEqualTo(400);
  }

  @Test
  void healthReadinessAndMetricsAreOpenAndAccountForEvents() throws Exception {
    assertThat(node.send(request("/healthz").GET().build()).statusCode()).isEqualTo(200);
    HttpResponse<String> ready = node.send(request("/readyz").GET().build());
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(json(ready).get("status").asText()).isEqualTo("ready");
    node.post("/v1/batch", "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"m\"},{\"type\":\"track\",\"userId\":\"u\"}]}");
    String metrics = node.send(request("/metrics").GET().build()).body();
    assertThat(metrics).contains("trackside_collect_events_received_total{source=\"default\"}")
        .contains("trackside_collect_events_stored_total{source=\"default\"}")
        .contains("trackside_collect_events_quarantined_total{reason=\"missing_event\",source=\"default\"}")
        .contains("trackside_log_size_bytes")
        .contains("trackside_log_consumer_lag{group=\"warehouse\"}");
  }

  static JsonNode findMessage(JsonNode rows, String messageId) {
    if (rows == null) {
      return null;
    }
    for (JsonNode row : rows) {
      if (messageId.equals(row.path("message_id").asText())) {
        return row;
      }
    }
    return null;
  }

  private static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }
}
