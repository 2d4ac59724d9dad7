package io.trackside.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard's API on 10 million events: fills a DuckDB warehouse ({@link DashboardData}),
 * starts a real Trackside ({@code trackside serve}, a separate JVM with the launcher's heap) on
 * that data directory, and times each endpoint over HTTP with the admin token — one warm-up,
 * then the median and the maximum of several runs. An endpoint this build does not have (404)
 * is reported as skipped, not failed.
 *
 * <p>Usage: {@code DashboardBench [--events N] [--days N] [--runs N] [--dir DIR] [--port N]
 * [--server-classpath CP]}. The warehouse is kept in DIR and reused by the next run with the
 * same --events (generating 10 M events takes a minute or two).
 */
public final class DashboardBench {
  private static final String TOKEN = "at_bench_admin_token_0123456789";

  /** One timed request, with the target the issue sets for it (0: none). */
  record Call(String name, String method, String path, String body, long targetMillis) {
  }

  record Result(Call call, String outcome, long medianMillis, long maxMillis, int bytes) {
  }

  static final String FUNNEL = "{\"steps\": [{\"page\": \"/\"}, {\"event\": \"Product Viewed\"},"
      + " {\"event\": \"Product Added\"}, {\"event\": \"Order Completed\"}], \"window\": \"session\"}";
  static final String FUNNEL_7D = "{\"steps\": [{\"page\": \"/\"}, {\"event\": \"Product Viewed\"},"
      + " {\"event\": \"Product Added\"}, {\"event\": \"Order Completed\"}], \"window\": \"7d\", \"breakdown\": \"channel\"}";

  /** What the dashboard's pages ask for (docs/DASHBOARD.md), over the last 30 days. */
  static final List<Call> CALLS = List.of(
      new Call("overview", "GET", "/api/stats/overview?period=30d", null, 300),
      new Call("timeseries by day", "GET", "/api/stats/timeseries?period=30d&interval=day", null, 0),
      new Call("breakdown: channel", "GET", "/api/stats/breakdown/channel?period=30d&limit=10", null, 0),
      new Call("breakdown: page", "GET", "/api/stats/breakdown/page?period=30d&limit=10", null, 0),
      new Call("breakdown: country, filtered to social", "GET",
          "/api/stats/breakdown/country?period=30d&limit=10&filter.channel=social", null, 0),
      new Call("funnel, 4 steps, same session", "POST", "/api/stats/funnel?period=30d", FUNNEL, 1000),
      new Call("funnel, 4 steps, 7 days, by channel", "POST", "/api/stats/funnel?period=30d", FUNNEL_7D, 0),
      // The insights branch reads the journey's start from start= (from= is the range's first day).
      new Call("journeys from / (next, depth 3)", "GET", "/api/stats/journeys?period=30d&start=page:/&direction=next&depth=3",
          null, 2000),
      new Call("attribution, linear, by channel", "GET",
          "/api/stats/attribution?period=30d&model=linear&by=channel&lookbackDays=30", null, 0),
      new Call("attribution, position-based, by campaign", "GET",
          "/api/stats/attribution?period=30d&model=position_based&by=campaign&lookbackDays=30", null, 0),
      new Call("e-commerce", "GET", "/api/stats/ecommerce?period=30d&abandonHours=24", null, 0));

  public static void main(String[] args) throws Exception {
    long events = longArg(args, "--events", 10_000_000);
    int days = (int) longArg(args, "--days", 35);
    int runs = (int) longArg(args, "--runs", 5);
    int port = (int) longArg(args, "--port", 18090);
    Path dir = Path.of(textArg(args, "--dir", "trackside-bench/target/dashboard-bench-" + events));
    String classpath = textArg(args, "--server-classpath", System.getProperty("java.class.path"));
    Path data = dir.resolve("data");
    Files.createDirectories(data);

    long t0 = System.nanoTime();
    long stored = DashboardData.generate(data.resolve("warehouse.duckdb"), events, days, Instant.now().getEpochSecond());
    System.out.printf(Locale.ROOT, "warehouse: %,d events ready in %.1f s (%s, %.2f GB)%n", stored, secs(t0),
        data.resolve("warehouse.duckdb"), Files.size(data.resolve("warehouse.duckdb")) / 1e9);
    System.out.println("data: " + DashboardData.describe(data.resolve("warehouse.duckdb")));

    Process server = startServer(dir, data, port, classpath);
    try {
      long t1 = System.nanoTime();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      waitReady(http, port, server, dir);
      System.out.printf(Locale.ROOT, "server: ready in %.1f s (log: %s)%n%n", secs(t1), dir.resolve("server.log"));
      List<Result> results = new ArrayList<>();
      for (Call call : CALLS) {
        Result result = time(http, port, call, runs);
        results.add(result);
        System.out.println(row(result));
      }
      System.out.println();
      System.out.println("| request | median | max | target | |");
      System.out.println("|---|---|---|---|---|");
      results.forEach(r -> System.out.println(row(r)));
    } finally {
      server.destroy(); // SIGTERM: the graceful stop
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private static Process startServer(Path dir, Path data, int port, String classpath) throws IOException {
    Path config = dir.resolve("trackside.yml");
    if (!Files.exists(config)) {
      Files.writeString(config, "# trackside-bench DashboardBench: a node over generated data\n", StandardCharsets.UTF_8);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xms64m", "-Xmx384m", "-XX:MaxDirectMemorySize=128m",
        "-cp", classpath, "io.trackside.server.Main", "serve", "--config", config.toString(), "--data", data.toString(),
        "--host", "127.0.0.1", "--port", Integer.toString(port), "--write-key", "wk_bench_key", "--admin-token", TOKEN));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
  }

  private static void waitReady(HttpClient http, int port, Process server, Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException("the server exited with " + server.exitValue() + "; see " + dir.resolve("server.log"));
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 && rollupReady(http, port) && userAgentsReady(http, port)) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the server was not ready within 10 minutes; see " + dir.resolve("server.log"));
  }

  /**
   * Whether the session rollup's first pass is done: until then the unfiltered numbers are grouped
   * from the events (the slow fallback), which is not what a running server answers with. A build
   * without the quality endpoint has no rollup to wait for.
   */
  private static boolean rollupReady(HttpClient http, int port) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/stats/quality?period=1d")).header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 404 || r.body().replace(" ", "").contains("\"sessionRollup\":{\"ready\":true");
  }

  /**
   * Whether the user-agent analyzer, built in the background for a few seconds of CPU after the
   * start, is ready: the first questions would otherwise share the cores with it, which a server
   * that has been running does not. A build without the gauge has nothing to wait for.
   */
  private static boolean userAgentsReady(HttpClient http, int port) throws Exception {
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return !metrics.contains("trackside_pipeline_user_agent_ready")
        || metrics.lines().anyMatch(line -> line.startsWith("trackside_pipeline_user_agent_ready 1"));
  }

  /** One warm-up, then {@code runs} timed requests, each read to its last byte. */
  static Result time(HttpClient http, int port, Call call, int runs) throws Exception {
    HttpResponse<String> first = send(http, port, call);
    if (first.statusCode() == 404) {
      return new Result(call, "skipped: not in this build (404) — merge the branch that adds it", -1, -1, 0);
    }
    if (first.statusCode() != 200) {
      String body = first.body().length() > 160 ? first.body().substring(0, 160) + "…" : first.body();
      return new Result(call, "failed: " + first.statusCode() + " " + body, -1, -1, 0);
    }
    long[] millis = new long[runs];
    int bytes = 0;
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      HttpResponse<String> r = send(http, port, call);
      millis[i] = (System.nanoTime() - start) / 1_000_000;
      if (r.statusCode() != 200) {
        return new Result(call, "failed on run " + (i + 1) + ": " + r.statusCode(), -1, -1, 0);
      }
      bytes = r.body().length();
    }
    Arrays.sort(millis);
    long median = runs % 2 == 1 ? millis[runs / 2] : (millis[runs / 2 - 1] + millis[runs / 2]) / 2;
    String verdict = call.targetMillis() == 0 ? "" : median <= call.targetMillis() ? "met" : "**not met**";
    return new Result(call, verdict, median, millis[runs - 1], bytes);
  }

  private static HttpResponse<String> send(HttpClient http, int port, Call call) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + call.path()))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofMinutes(5));
    if (call.method().equals("POST")) {
      request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(call.body()));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String row(Result r) {
    String target = r.call().targetMillis() == 0 ? "—" : "≤ " + r.call().targetMillis() + " ms";
    if (r.medianMillis() < 0) {
      return "| " + r.call().name() + " | — | — | " + target + " | " + r.outcome() + " |";
    }
    return String.format(Locale.ROOT, "| %s | %,d ms | %,d ms | %s | %s |", r.call().name(), r.medianMillis(),
        r.maxMillis(), target, r.outcome());
  }

  private static double secs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static long longArg(String[] args, String name, long fallback) {
    String value = textArg(args, name, null);
    return value == null ? fallback : Long.parseLong(value.replace("_", ""));
  }

  private static String textArg(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
