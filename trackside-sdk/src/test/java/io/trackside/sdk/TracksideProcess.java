package io.trackside.sdk;

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
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Trackside server as its own process — started through its CLI from this test class path
 * ({@code trackside serve ...}), as an operator would, so a test can kill it with SIGKILL and
 * start it again on the same port and data directory.
 *
 * <p>Raw IPs are stored (the filter's tests check the visitor address exactly) and the
 * user-agent analyzer is off (its warm-up costs seconds of CPU these tests do not need).
 */
public final class TracksideProcess implements AutoCloseable {
  public static final String WRITE_KEY = "wk_sdk_test_key";
  public static final String ADMIN_TOKEN = "at_sdk_test_admin_token_0123456789";
  /** The server's batch limit in these tests: below the SDK's maximum, so a 400 can be provoked. */
  public static final int MAX_BATCH_EVENTS = 1000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LAG = Pattern.compile("trackside_log_consumer_lag\\{group=\"warehouse\"} ([0-9.E]+)");

  private final Path dir;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;
  private int starts;

  private TracksideProcess(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  public static TracksideProcess start(Path dir) throws Exception {
    TracksideProcess server = new TracksideProcess(dir, freePort());
    server.start();
    return server;
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Starts (again) on the same port and data directory. */
  public void start() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "io.trackside.server.Main", "serve", "--config", dir.resolve("trackside.yml").toString(),
        "--data", dir.resolve("data").toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--write-key", WRITE_KEY, "--admin-token", ADMIN_TOKEN);
    File log = dir.resolve("server-" + (++starts) + ".log").toFile();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
    Map<String, String> env = builder.environment();
    env.put("TRACKSIDE_PRIVACY_STORE_RAW_IP", "true");
    env.put("TRACKSIDE_ENRICHMENT_USER_AGENT", "false");
    env.put("TRACKSIDE_LIMITS_MAX_BATCH_EVENTS", Integer.toString(MAX_BATCH_EVENTS));
    env.put("TRACKSIDE_WORKERS", "1");
    process = builder.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("Trackside exited with " + process.exitValue() + ":\n" + Files.readString(log.toPath()));
      }
      try {
        if (get("/readyz").statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    throw new AssertionError("Trackside did not become ready within 90 s; see " + log);
  }

  /** SIGKILL: no goodbye, no graceful shutdown. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: the server's graceful shutdown. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Every stored event matching the query, after the warehouse has caught up with the log (so
   * an answer that is short is really short, and duplicates would be there to see).
   */
  public List<JsonNode> events(String query) throws Exception {
    awaitWarehouse();
    HttpResponse<String> response = get("/api/events?limit=10000" + (query.isEmpty() ? "" : "&" + query));
    if (response.statusCode() != 200) {
      throw new AssertionError("GET /api/events answered " + response.statusCode() + ": " + response.body());
    }
    List<JsonNode> events = new ArrayList<>();
    JSON.readTree(response.body()).get("events").forEach(events::add);
    return events;
  }

  /** Polls until the stored events matching the query satisfy the condition (or 60 s pass). */
  public List<JsonNode> eventsUntil(String query, Predicate<List<JsonNode>> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<JsonNode> events;
    do {
      events = events(query);
      if (done.test(events)) {
        return events;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return events;
  }

  public List<JsonNode> quarantine() throws Exception {
    awaitWarehouse();
    List<JsonNode> rows = new ArrayList<>();
    JSON.readTree(get("/api/quarantine?limit=1000").body()).get("quarantine").forEach(rows::add);
    return rows;
  }

  /** Waits until the warehouse has read everything the log holds. */
  public void awaitWarehouse() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String metrics = "";
    while (System.nanoTime() < deadline) {
      metrics = get("/metrics").body();
      Matcher m = LAG.matcher(metrics);
      if (m.find() && Double.parseDouble(m.group(1)) == 0.0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the warehouse did not catch up within 60 s");
  }

  /** The value of one counter line of /metrics, e.g. {@code trackside_collect_requests_rejected_total{...}}. */
  public double metric(String linePrefix) throws Exception {
    for (String line : get("/metrics").body().split("\n")) {
      if (line.startsWith(linePrefix)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  /** Parses a JSON column the API returns as text (context, properties). */
  public static JsonNode json(JsonNode column) throws IOException {
    return column == null || column.isNull() ? null : column.isTextual() ? JSON.readTree(column.asText()) : column;
  }
}
