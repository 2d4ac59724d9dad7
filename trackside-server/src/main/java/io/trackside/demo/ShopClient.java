package io.trackside.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Sends the simulated shop's events to Trackside over real HTTP, each the way its real sender
 * does: Segment API batches with the write key, the snippet's POST to its collect endpoint (the
 * browser's User-Agent, and its address in X-Forwarded-For as a reverse proxy would add it), and
 * gtag.js GET hits. A 503 or 429 (the log is busy) is retried like the real clients retry.
 */
public final class ShopClient {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final URI base;
  private final String writeKey;
  private final String snippetCollectPath;
  private final String measurementId;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * @param base               e.g. {@code http://127.0.0.1:8080}
   * @param snippetCollectPath the snippet's collect endpoint, e.g. {@code /static/site/c}
   * @param measurementId      a GA4 measurement id that a source lists, for the gtag hits
   */
  public ShopClient(URI base, String writeKey, String snippetCollectPath, String measurementId, Clock clock) {
    this.base = base;
    this.writeKey = writeKey;
    this.snippetCollectPath = snippetCollectPath;
    this.measurementId = measurementId;
    this.clock = clock;
  }

  String measurementId() {
    return measurementId;
  }

  /** POST /v1/batch, as a server-side Segment library flushes its queue. */
  void segmentBatch(List<ObjectNode> events) throws IOException, InterruptedException {
    ObjectNode body = MAPPER.createObjectNode();
    body.putArray("batch").addAll(events);
    body.put("sentAt", clock.instant().toString());
    send(HttpRequest.newBuilder(base.resolve("/v1/batch"))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body))).build());
  }

  /**
   * The snippet's beacon: {@code {writeKey, sentAt, batch}} as text/plain from the visitor's
   * browser. {@code sentAt} is now: past events reach the server as a late queue would deliver
   * them, and the server keeps their own time (it corrects by sentAt − timestamp, not to now).
   */
  void snippet(Visitor visitor, List<ObjectNode> events) throws IOException, InterruptedException {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("writeKey", writeKey).put("sentAt", clock.instant().toString());
    body.putArray("batch").addAll(events);
    send(HttpRequest.newBuilder(base.resolve(snippetCollectPath))
        .header("Content-Type", "text/plain;charset=UTF-8")
        .header("User-Agent", visitor.userAgent())
        .header("X-Forwarded-For", visitor.ip())
        .header("Origin", Catalog.HOST)
        .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body))).build());
  }

  /** A gtag.js hit: GET /g/collect with every parameter in the query. */
  void gtag(Visitor visitor, String query) throws IOException, InterruptedException {
    send(HttpRequest.newBuilder(base.resolve("/g/collect?" + query))
        .header("User-Agent", visitor.userAgent())
        .header("X-Forwarded-For", visitor.ip())
        .header("Origin", Catalog.HOST)
        .GET().build());
  }

  private void send(HttpRequest request) throws IOException, InterruptedException {
    long wait = 100;
    for (int attempt = 1; ; attempt++) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status / 100 == 2) {
          return;
        }
        if ((status != 503 && status != 429) || attempt >= 8) {
          throw new IOException(request.method() + " " + request.uri().getPath() + " answered " + status + ": " + response.body());
        }
      } catch (IOException e) {
        if (attempt >= 8 || e.getMessage() != null && e.getMessage().contains(" answered ")) {
          throw e;
        }
      }
      Thread.sleep(wait);
      wait = Math.min(wait * 2, 5_000);
    }
  }
}
