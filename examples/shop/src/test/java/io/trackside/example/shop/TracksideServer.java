package io.trackside.example.shop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real Trackside as its own process, started through its CLI from this test class path as an
 * operator would ({@code trackside serve}), as trackside-sdk's tests do. The user-agent analyzer
 * is off: its warm-up costs seconds of CPU these tests do not need.
 */
final class TracksideServer implements AutoCloseable {
  static final String WRITE_KEY = "wk_shop_test_key";
  static final String ADMIN_TOKEN = "at_shop_test_admin_token_0123456789";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LAG = Pattern.compile("trackside_log_consumer_lag\\{group=\"warehouse\"} ([0-9.E]+)");

  private final int port;
  private final Process process;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private TracksideServer(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  static TracksideServer start(Path dir) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp", serverClassPath(),
        "io.trackside.server.Main", "serve", "--config", dir.resolve("trackside.yml").toString(),
        "--data", dir.resolve("data").toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--write-key", WRITE_KEY, "--admin-token", ADMIN_TOKEN);
    File log = dir.resolve("trackside.log").toFile();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
    Map<String, String> env = builder.environment();
    env.put("TRACKSIDE_ENRICHMENT_USER_AGENT", "false");
    env.put("TRACKSIDE_WORKERS", "1");
    TracksideServer server = new TracksideServer(port, builder.start());
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.process.isAlive()) {
        throw new AssertionError("Trackside exited with " + server.process.exitValue() + ":\n" + Files.readString(log.toPath()));
      }
      try {
        if (server.get("/readyz").statusCode() == 200) {
          return server;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    server.close();
    throw new AssertionError("Trackside did not become ready within 90 s; see " + log);
  }

  /** This test class path without the shop's own classes (its logback.xml is not Trackside's). */
  private static String serverClassPath() {
    Path target = Path.of("target").toAbsolutePath();
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !Path.of(entry).toAbsolutePath().startsWith(target))
        .collect(Collectors.joining(File.pathSeparator));
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Every stored event, after the warehouse has caught up with the log (so duplicates would show). */
  List<JsonNode> events() throws Exception {
    awaitWarehouse();
    HttpResponse<String> response = get("/api/events?limit=10000");
    if (response.statusCode() != 200) {
      throw new AssertionError("GET /api/events answered " + response.statusCode() + ": " + response.body());
    }
    List<JsonNode> events = new ArrayList<>();
    JSON.readTree(response.body()).get("events").forEach(events::add);
    return events;
  }

  /** Polls until the stored events satisfy the condition, or 60 s pass; returns the last answer. */
  List<JsonNode> eventsUntil(Predicate<List<JsonNode>> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<JsonNode> events;
    do {
      events = events();
      if (done.test(events)) {
        return events;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return events;
  }

  /** The sum of a counter's lines in /metrics, e.g. {@code trackside_warehouse_duplicates_total}. */
  double metric(String name) throws Exception {
    double sum = 0;
    for (String line : get("/metrics").body().split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private void awaitWarehouse() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = LAG.matcher(get("/metrics").body());
      if (m.find() && Double.parseDouble(m.group(1)) == 0.0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the warehouse did not catch up within 60 s");
  }

  /** A JSON column the API returns as text (properties, traits, context). */
  static JsonNode json(JsonNode column) throws IOException {
    return column == null || column.isNull() ? JSON.nullNode() : column.isTextual() ? JSON.readTree(column.asText()) : column;
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
