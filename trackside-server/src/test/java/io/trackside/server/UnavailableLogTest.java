package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the log cannot store, the collector says so with 503 + Retry-After — never 200-then-drop. */
class UnavailableLogTest {
  @TempDir
  Path dir;

  @Test
  void aDiskBelowTheFreeSpaceGuardGets503WithRetryAfterAndReadinessSaysWhy() throws Exception {
    // More free space than any disk has: the guard trips exactly as it does when the disk fills up.
    try (TestNode node = TestNode.start(dir, Map.of("log.min-free-disk", "1000000GB"))) {
      HttpResponse<String> response = node.post("/v1/track", "{\"userId\":\"u\",\"event\":\"e\"}");
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).isPresent();
      assertThat(TestNode.JSON.readTree(response.body()).get("code").asText()).isEqualTo("disk_full");
      HttpResponse<String> ready = node.send(HttpRequest.newBuilder(URI.create(node.url("/readyz"))).GET().build());
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("disk");
      String metrics = node.send(HttpRequest.newBuilder(URI.create(node.url("/metrics"))).GET().build()).body();
      assertThat(metrics).contains("trackside_collect_events_refused_total{reason=\"disk_full\",source=\"default\"} 1.0");
    }
  }
}
