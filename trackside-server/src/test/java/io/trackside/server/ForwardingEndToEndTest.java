package io.trackside.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the real interface: events posted to the Segment API, processed by the pipeline, reach
 * a webhook configured in trackside.yml — consent-checked, deduplicated like the warehouse,
 * accounted at /api/destinations and /metrics — and survive a restart without being sent twice.
 */
class ForwardingEndToEndTest {
  /** A browser: the HTTP client's own User-Agent would be flagged as a bot and, rightly, not forwarded. */
  private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
      + " Chrome/131.0.0.0 Safari/537.36";

  @TempDir
  Path dir;

  @Test
  void postedEventsReachTheWebhookOnceWithTheirStableIds() throws Exception {
    Set<String> received = ConcurrentHashMap.newKeySet();
    List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    hook.createContext("/hook", exchange -> {
      JsonNode batch = TestNode.JSON.readTree(exchange.getRequestBody().readAllBytes());
      for (JsonNode event : batch.path("batch")) {
        if (!received.add(event.path("eventId").asText())) {
          throw new AssertionError("delivered twice: " + event);
        }
        bodies.add(event);
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    hook.start();
    Files.writeString(dir.resolve("trackside.yml"), """
        destinations:
          - id: hook
            type: webhook
            url: http://127.0.0.1:%d/hook
            secret: whsec_test
            consent: [analytics]
            linger: 20ms
        """.formatted(hook.getAddress().getPort()));
    try {
      StringBuilder batch = new StringBuilder("{\"batch\":[");
      for (int i = 0; i < 40; i++) {
        String consent = i < 30 ? "{\"categoryPreferences\":{\"analytics\":true}}" : "{\"categoryPreferences\":{\"analytics\":false}}";
        batch.append(i == 0 ? "" : ",").append("""
            {"type":"track","event":"Order Completed","messageId":"m-%d","anonymousId":"a-%d",
             "properties":{"revenue":12.5,"email":"person%d@example.com"},
             "context":{"consent":%s,"ip":"198.51.100.23","userAgent":"%s"}}""".formatted(i, i % 5, i, consent, CHROME));
      }
      batch.append("]}");
      try (TestNode node = TestNode.start(dir)) {
        assertEquals(200, node.post("/v1/batch", batch.toString()).statusCode());
        // The same messageIds again, as a client retry would send them: the warehouse dedupes, so does forwarding.
        assertEquals(200, node.post("/v1/batch", batch.toString()).statusCode());
        JsonNode state = until(node, s -> s.path("delivered").asLong() == 30 && s.path("lag").asLong() == 0);
        assertEquals(30, state.path("delivered").asLong(), state.toString());
        assertEquals(10, state.path("filtered").path("no_consent").asLong(), state.toString());
        String metrics = node.send(HttpRequest.newBuilder(URI.create(node.url("/metrics"))).build()).body();
        assertTrue(metrics.contains("trackside_destination_delivered_total{destination=\"hook\"} 30.0"), metrics);
      }
      assertEquals(30, received.size());
      JsonNode first = bodies.get(0);
      assertEquals("198.51.100.0", first.path("context").path("ip").asText(), "the address leaves truncated");
      assertTrue(first.path("trackside").path("visitorId").asText().startsWith("a-"), first.toString());
      assertTrue(!first.path("properties").path("email").asText().contains("@"), "PII leaves hashed: " + first);

      // Restart: nothing is sent again, and new events flow.
      try (TestNode node = TestNode.start(dir)) {
        assertEquals(200, node.post("/v1/track", """
            {"type":"track","event":"Signed Up","messageId":"after-restart","anonymousId":"a-1",
             "context":{"consent":{"categoryPreferences":{"analytics":true}},"userAgent":"%s"}}""".formatted(CHROME))
            .statusCode());
        until(node, s -> s.path("delivered").asLong() == 1);
        HttpResponse<String> list = node.api("/api/destinations");
        assertEquals(200, list.statusCode());
        assertEquals("webhook", TestNode.JSON.readTree(list.body()).path("destinations").get(0).path("type").asText());
        HttpResponse<String> unknown = node.api("/api/destinations/nope");
        assertEquals(404, unknown.statusCode());
      }
      assertEquals(31, received.size());
    } finally {
      hook.stop(0);
    }
  }

  private static JsonNode until(TestNode node, java.util.function.Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    JsonNode state;
    do {
      HttpResponse<String> r = node.api("/api/destinations/hook");
      assertEquals(200, r.statusCode(), r.body());
      state = TestNode.JSON.readTree(r.body());
      if (done.test(state)) {
        return state;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return state;
  }
}
