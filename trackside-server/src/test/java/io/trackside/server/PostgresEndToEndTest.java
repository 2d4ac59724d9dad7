package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.warehouse.PgTestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with {@code warehouse.type: postgresql} on the machine's PostgreSQL: events posted over
 * HTTP are stored in PostgreSQL (day partitions), the dashboard's numbers come from the node's
 * DuckDB copy of it, an erasure through the API removes the person from both, and a restart
 * neither copies anything twice nor stores a client retry twice.
 */
class PostgresEndToEndTest {
  private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
      + " Chrome/131.0.0.0 Safari/537.36";

  @TempDir
  Path dir;

  private static String batch(Instant at) {
    StringBuilder batch = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < 12; i++) {
      String visitor = "visitor-" + (i % 3);
      batch.append(i == 0 ? "" : ",").append("""
          {"type":"page","messageId":"pg-%d","anonymousId":"%s","timestamp":"%s",
           "context":{"ip":"198.51.100.23","userAgent":"%s","page":{"url":"https://shop.example/p/%d"}}}"""
          .formatted(i, visitor, at.plusSeconds(i), CHROME, i % 4));
    }
    return batch.append("]}").toString();
  }

  @Test
  void eventsGoToPostgresqlTheDashboardReadsItsCopyAndAnErasureReachesBoth() throws Exception {
    Instant at = Instant.now().minus(5, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    try (PgTestDatabase db = PgTestDatabase.create()) {
      Map<String, String> flags = Map.of("warehouse.type", "postgresql", "warehouse.postgresql.url", db.url(),
          "warehouse.postgresql.mirror-interval", "200ms");
      try (TestNode node = TestNode.start(dir, flags)) {
        assertThat(node.post("/v1/batch", batch(at)).statusCode()).isEqualTo(200);
        until("12 events in PostgreSQL", () -> count(db, "SELECT count(*) FROM events") == 12);
        assertThat(count(db, "SELECT count(DISTINCT tableoid) FROM events")).as("in day partitions").isPositive();
        JsonNode events = node.eventsUntil("?limit=50", e -> e.size() == 12);
        assertThat(events.size()).as("/api/events reads PostgreSQL").isEqualTo(12);
        until("the dashboard's copy has them", () -> pageviews(node) == 12);
        assertThat(overview(node).at("/metrics/visitors/value").asLong()).isEqualTo(3);

        HttpResponse<String> deleted = node.api("POST", "/api/privacy/delete", "{\"anonymousId\":\"visitor-1\"}");
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(count(db, "SELECT count(*) FROM events WHERE anonymous_id = 'visitor-1'")).isZero();
        until("the copy lost visitor-1's 4 page views", () -> pageviews(node) == 8);
        assertThat(overview(node).at("/metrics/visitors/value").asLong()).isEqualTo(2);
      }
      try (TestNode again = TestNode.start(dir, flags)) {
        // The same batch again: a client retry. Deduplicated, and visitor-1's events stay erased.
        assertThat(again.post("/v1/batch", batch(at)).statusCode()).isEqualTo(200);
        again.eventsUntil("?limit=50", e -> e.size() == 8);
        Thread.sleep(1_000); // a few mirror polls: a copy made twice would show now
        assertThat(count(db, "SELECT count(*) FROM events")).isEqualTo(8);
        until("the copy still has 8", () -> pageviews(again) == 8);
        assertThat(overview(again).at("/metrics/visitors/value").asLong()).isEqualTo(2);
        assertThat(again.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(again.url("/readyz"))).GET()
            .build()).statusCode()).isEqualTo(200);
      }
    }
  }

  private static JsonNode overview(TestNode node) throws Exception {
    HttpResponse<String> response = node.api("/api/stats/overview?period=2d");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return TestNode.JSON.readTree(response.body());
  }

  private static long pageviews(TestNode node) throws Exception {
    return overview(node).at("/metrics/pageviews/value").asLong();
  }

  private static long count(PgTestDatabase db, String sql) throws Exception {
    try (Connection connection = db.connect(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static void until(String what, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within 60 s");
      }
      Thread.sleep(100);
    }
  }
}
