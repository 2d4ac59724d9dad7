package io.trackside.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trackside replay-quarantine}: asks the running server to replay quarantined events
 * (POST /api/quarantine/replay) and follows the job until it ends. It never opens the DuckDB
 * file itself: DuckDB lets one process write it, and that process is the server.
 */
@Command(name = "replay-quarantine", mixinStandardHelpOptions = true,
    description = {"Re-run quarantined events through the current pipeline of a running Trackside"
        + " (after fixing the tracking plan or a limit), showing progress; the ones that pass move to the"
        + " events table.",
        "Exit status: 0 when the replay ran (even if some events still fail), 1 when it could not run."})
final class ReplayQuarantineCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern AGO = Pattern.compile("(\\d+)\\s*(m|h|d)");

  @Spec
  CommandSpec spec;

  @Option(names = "--reason", paramLabel = "REASON", description = "only events quarantined for this reason (e.g. schema_violation)")
  String reason;

  @Option(names = "--source", paramLabel = "SOURCE", description = "only events of this source")
  String source;

  @Option(names = "--since", paramLabel = "TIME",
      description = "only events received at or after TIME: 2026-11-28T10:00:00Z, 2026-11-28, or 2h / 7d ago")
  String since;

  @Option(names = "--until", paramLabel = "TIME", description = "only events received before TIME (same forms)")
  String until;

  @Option(names = "--limit", paramLabel = "N", description = "replay at most N events (oldest first)")
  Integer limit;

  @Option(names = "--url", paramLabel = "URL",
      description = "the running Trackside (default: http://localhost:<server.port of the config>)")
  String url;

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      description = "the admin token (default: TRACKSIDE_ADMIN_TOKEN, else admin-token of the config)")
  String adminToken;

  @Option(names = "--config", paramLabel = "FILE", description = "config file to read the port and token from (default: ./trackside.yml)")
  Path config;

  @Option(names = "--poll-millis", hidden = true, defaultValue = "500")
  long pollMillis;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String base;
    String token;
    try {
      base = url != null ? url : "http://localhost:" + firstNonNull(ConfigLoader.peek(config, System.getenv(), "server.port"), "8080");
      token = adminToken != null ? adminToken : ConfigLoader.peek(config, System.getenv(), "admin-token");
    } catch (ConfigException e) {
      err.println("replay-quarantine: " + e.getMessage());
      return 1;
    }
    base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    if (token == null) {
      err.println("replay-quarantine: no admin token: pass --admin-token, set TRACKSIDE_ADMIN_TOKEN, or run it where"
          + " trackside.yml is (or give --config FILE)");
      return 1;
    }
    ObjectNode filters = JSON.createObjectNode();
    putIfSet(filters, "reason", reason);
    putIfSet(filters, "source", source);
    putIfSet(filters, "since", ago(since));
    putIfSet(filters, "until", ago(until));
    if (limit != null) {
      filters.put("limit", limit);
    }
    HttpResponse<String> started;
    try {
      started = http.send(HttpRequest.newBuilder(URI.create(base + "/api/quarantine/replay"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(filters.toString())).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | IllegalArgumentException e) {
      err.println(unreachable(base, e));
      return 1;
    }
    if (started.statusCode() != 202) {
      err.println(refusal(started));
      return 1;
    }
    JsonNode job = JSON.readTree(started.body());
    String jobId = job.path("jobId").asText();
    out.println("Replay " + jobId + " started" + (filters.isEmpty() ? " for every quarantined event" : " for " + filters));
    out.flush();
    long lastShown = -1;
    while ("running".equals(job.path("state").asText())) {
      long processed = job.path("processed").asLong();
      if (processed != lastShown) {
        out.println(progress(job));
        out.flush();
        lastShown = processed;
      }
      Thread.sleep(pollMillis);
      HttpResponse<String> status;
      try {
        status = http.send(HttpRequest.newBuilder(URI.create(base + "/api/quarantine/replay/" + jobId))
            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        err.println(unreachable(base, e) + " The replay may still be running: GET /api/quarantine/replay/" + jobId);
        return 1;
      }
      if (status.statusCode() != 200) {
        err.println(refusal(status));
        return 1;
      }
      job = JSON.readTree(status.body());
    }
    out.println(progress(job));
    out.println(summary(job));
    out.flush();
    if (!"done".equals(job.path("state").asText())) {
      err.println("replay-quarantine: the replay " + job.path("state").asText() + ": " + job.path("error").asText()
          + " — the events not yet processed are still in the quarantine; run it again to continue");
      return 1;
    }
    return 0;
  }

  static String progress(JsonNode job) {
    return "  processed " + job.path("processed").asLong() + "/" + job.path("total").asLong()
        + " · passed " + job.path("passed").asLong()
        + " · still failing " + job.path("stillFailing").asLong();
  }

  static String summary(JsonNode job) {
    StringBuilder text = new StringBuilder();
    long passed = job.path("passed").asLong();
    long failing = job.path("stillFailing").asLong();
    text.append(job.path("processed").asLong()).append(" replayed: ")
        .append(passed).append(" passed and are now in the events table");
    if (job.path("duplicates").asLong() > 0) {
      text.append(", ").append(job.path("duplicates").asLong()).append(" were already stored");
    }
    if (job.path("dropped").asLong() > 0) {
      text.append(", ").append(job.path("dropped").asLong()).append(" are now dropped by the pipeline");
    }
    text.append("; ").append(failing).append(" still fail");
    if (failing > 0) {
      text.append(" (stay in the quarantine):");
      for (Iterator<Map.Entry<String, JsonNode>> it = job.path("byReason").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        text.append(' ').append(e.getKey()).append(' ').append(e.getValue().asLong()).append(it.hasNext() ? "," : "");
      }
    }
    return text.toString();
  }

  private static String unreachable(String base, Exception e) {
    String why = e instanceof ConnectException ? "connection refused"
        : e instanceof HttpConnectTimeoutException ? "no answer within 5 s" : e.toString();
    return "replay-quarantine: cannot reach Trackside at " + base + " (" + why + "). Is it running? Start it with"
        + " ./trackside serve, or point --url at the running server.";
  }

  private static String refusal(HttpResponse<String> response) {
    String message;
    try {
      JsonNode body = JSON.readTree(response.body());
      message = body.path("message").asText(response.body());
    } catch (IOException notJson) {
      message = response.body();
    }
    if (response.statusCode() == 401) {
      return "replay-quarantine: the admin token was refused; pass the server's admin-token with --admin-token";
    }
    if (response.statusCode() == 404) {
      return "replay-quarantine: " + response.uri() + " answered 404: is that a Trackside with quarantine replay?"
          + " (" + message + ")";
    }
    return "replay-quarantine: the server answered " + response.statusCode() + ": " + message;
  }

  /** "2h", "30m", "7d" mean that long ago; anything else goes to the server as it is. */
  static String ago(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = AGO.matcher(text.trim());
    if (!m.matches()) {
      return text.trim();
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    return Instant.now().minus(d).toString();
  }

  private static void putIfSet(ObjectNode node, String name, String value) {
    if (value != null && !value.isBlank()) {
      node.put(name, value);
    }
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }
}
