package io.trackside.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/** A real Trackside node in this JVM on a free loopback port, configured through the real loader. */
final class TestNode implements AutoCloseable {
  static final String WRITE_KEY = "wk_test_key";
  static final String ADMIN_TOKEN = "at_test_admin_token_0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  final TracksideNode node;
  final Config config;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestNode(TracksideNode node, Config config) {
    this.node = node;
    this.config = config;
  }

  static TestNode start(Path dir) throws Exception {
    return start(dir, Map.of());
  }

  /** @param extraFlags more settings by dotted name, as flags would give them */
  static TestNode start(Path dir, Map<String, String> extraFlags) throws Exception {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("data", dir.resolve("data").toString());
    flags.put("server.host", "127.0.0.1");
    flags.put("server.port", Integer.toString(freePort()));
    flags.put("write-key", WRITE_KEY);
    flags.put("admin-token", ADMIN_TOKEN);
    flags.putAll(extraFlags);
    Config config = ConfigLoader.load(dir.resolve("trackside.yml"), new HashMap<>(), flags).config();
    return new TestNode(TracksideNode.start(config), config);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + node.port() + path;
  }

  static String basic(String key) {
    return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", basic(WRITE_KEY))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> api(String pathAndQuery) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url(pathAndQuery)))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build());
  }

  /** An operator request with a JSON body (POST, PUT, DELETE) and the admin token. */
  HttpResponse<String> api(String method, String pathAndQuery, String json) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url(pathAndQuery))).header("Authorization", "Bearer " + ADMIN_TOKEN)
        .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json)).build());
  }

  /**
   * Polls /api/events until the answer satisfies the condition (the workers write asynchronously;
   * the first events of a process also wait for the user-agent analyzer's warm-up).
   */
  JsonNode eventsUntil(String query, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode events;
    do {
      HttpResponse<String> response = api("/api/events" + query);
      if (response.statusCode() != 200) {
        throw new AssertionError("GET /api/events" + query + " answered " + response.statusCode() + ": " + response.body());
      }
      events = JSON.readTree(response.body()).get("events");
      if (done.test(events)) {
        return events;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return events;
  }

  JsonNode quarantineUntil(Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode rows;
    do {
      rows = JSON.readTree(api("/api/quarantine?limit=1000").body()).get("quarantine");
      if (done.test(rows)) {
        return rows;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return rows;
  }

  @Override
  public void close() {
    node.stop();
  }
}
