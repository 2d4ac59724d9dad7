package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Tracking plan and quarantine replay end to end, through real HTTP into the real log and
 * DuckDB: events a blocking plan rejects are quarantined; after the plan is fixed and reloaded
 * a replay moves them to the events table, and what still fails stays.
 */
class QuarantineReplayTest {

  static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
      + " Chrome/131.0.0.0 Safari/537.36";

  static final String STRICT_PLAN = """
      {"events": {"Order Completed": {"type": "object", "required": ["order_id", "total"],
        "properties": {"order_id": {"type": "string"}, "total": {"type": "number"}}}}}""";
  /** The fix: the shop's backend sends totals as decimal strings, and that is fine after all. */
  static final String FIXED_PLAN = """
      {"events": {"Order Completed": {"type": "object", "required": ["order_id", "total"],
        "properties": {"order_id": {"type": "string"},
                       "total": {"type": ["number", "string"], "pattern": "^[0-9]+(\\\\.[0-9]+)?$"}}}}}""";

  @TempDir
  Path dir;
  TestNode node;
  Path planFile;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private void start(String plan, Map<String, String> flags) throws Exception {
    planFile = dir.resolve("tracking-plan.json");
    Files.writeString(planFile, plan);
    Map<String, String> all = new java.util.HashMap<>(flags);
    all.put("tracking-plan.file", planFile.toString());
    node = TestNode.start(dir, all);
  }

  private HttpResponse<String> track(String messageId, String anonymousId, String properties) throws Exception {
    String body = "{\"event\":\"Order Completed\",\"messageId\":\"" + messageId + "\""
        + (anonymousId == null ? "" : ",\"anonymousId\":\"" + anonymousId + "\"")
        + ",\"properties\":" + properties + ",\"context\":{\"page\":{\"url\":\"https://shop.example/checkout/done\"}}}";
    return node.send(HttpRequest.newBuilder(URI.create(node.url("/v1/track")))
        .header("Authorization", TestNode.basic(TestNode.WRITE_KEY)).header("Content-Type", "application/json")
        .header("User-Agent", CHROME).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private HttpResponse<String> adminPost(String path, String body) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url(path)))
        .header("Authorization", "Bearer " + TestNode.ADMIN_TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private JsonNode awaitJob(String jobId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode job;
    do {
      job = TestNode.JSON.readTree(node.api("/api/quarantine/replay/" + jobId).body());
      if (!"running".equals(job.path("state").asText())) {
        return job;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("replay job did not finish: " + job);
  }

  private static List<String> ids(JsonNode rows) {
    List<String> ids = new ArrayList<>();
    rows.forEach(r -> ids.add(r.path("message_id").asText()));
    return ids;
  }

  private static Predicate<JsonNode> size(int n) {
    return rows -> rows.size() == n;
  }

  private String metric(String line) throws Exception {
    String metrics = node.send(HttpRequest.newBuilder(URI.create(node.url("/metrics"))).GET().build()).body();
    return metrics.lines().filter(l -> l.startsWith(line)).findFirst().orElse("(no " + line + ")");
  }

  @Test
  void blockedEventsAreReplayedAfterThePlanIsFixedAndWhatStillFailsStays() throws Exception {
    start(STRICT_PLAN, Map.of("tracking-plan.mode", "block"));
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> stringTotals = List.of(run + "-a", run + "-b", run + "-c");
    for (String id : stringTotals) {
      assertThat(track(id, "anon-" + id, "{\"order_id\":\"o-" + id + "\",\"total\":\"12.50\"}").statusCode()).isEqualTo(200);
    }
    assertThat(track(run + "-ok", "anon-ok", "{\"order_id\":\"o-ok\",\"total\":12.5}").statusCode()).isEqualTo(200);
    assertThat(track(run + "-noid", "anon-noid", "{\"total\":3}").statusCode()).isEqualTo(200);
    assertThat(track(run + "-anon", null, "{\"order_id\":\"o\",\"total\":1}").statusCode()).isEqualTo(200);

    JsonNode quarantine = node.quarantineUntil(size(5));
    assertThat(quarantine).hasSize(5);
    JsonNode blocked = find(quarantine, run + "-a");
    assertThat(blocked.path("reason").asText()).isEqualTo("schema_violation");
    assertThat(blocked.path("detail").asText()).isEqualTo("total: must be a number");
    assertThat(blocked.path("user_agent").asText()).isEqualTo(CHROME);
    assertThat(blocked.path("ip").asText()).as("only ever truncated").isEqualTo("127.0.0.0");
    assertThat(blocked.path("id").asText()).hasSize(36);
    assertThat(find(quarantine, run + "-noid").path("detail").asText()).isEqualTo("order_id: is required");
    assertThat(node.eventsUntil("?limit=100", e -> e.size() == 1)).hasSize(1);

    // GET shows the plan and mode; a broken plan is refused and the old one stays.
    JsonNode shown = TestNode.JSON.readTree(node.api("/api/tracking-plan").body());
    assertThat(shown.path("mode").asText()).isEqualTo("block");
    assertThat(shown.path("unplanned").asText()).isEqualTo("allow");
    assertThat(shown.path("events").get(0).asText()).isEqualTo("Order Completed");
    assertThat(shown.at("/plan/events/Order Completed/required").toString()).contains("order_id");
    Files.writeString(planFile, "{\"events\": {\"Order Completed\": {\"type\": \"objekt\"}}}");
    HttpResponse<String> refused = adminPost("/api/tracking-plan/reload", "");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(TestNode.JSON.readTree(refused.body()).path("message").asText())
        .contains("event \"Order Completed\"").contains("previous plan stays in force");
    assertThat(TestNode.JSON.readTree(node.api("/api/tracking-plan").body()).at("/plan/events/Order Completed/required"))
        .as("still the strict plan").hasSize(2);

    Files.writeString(planFile, FIXED_PLAN);
    HttpResponse<String> reloaded = adminPost("/api/tracking-plan/reload", "");
    assertThat(reloaded.statusCode()).isEqualTo(200);
    assertThat(reloaded.body()).contains("\"reloaded\":true").contains("pattern");

    HttpResponse<String> started = adminPost("/api/quarantine/replay", "{\"reason\":\"schema_violation\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String jobId = TestNode.JSON.readTree(started.body()).path("jobId").asText();
    assertThat(started.headers().firstValue("Location")).hasValue("/api/quarantine/replay/" + jobId);
    JsonNode job = awaitJob(jobId);
    assertThat(job.path("state").asText()).isEqualTo("done");
    assertThat(job.path("total").asLong()).isEqualTo(4);
    assertThat(job.path("processed").asLong()).isEqualTo(4);
    assertThat(job.path("passed").asLong()).isEqualTo(3);
    assertThat(job.path("stillFailing").asLong()).isEqualTo(1);
    assertThat(job.path("byReason").toString()).isEqualTo("{\"schema_violation\":1}");
    assertThat(job.at("/filters/reason").asText()).isEqualTo("schema_violation");

    JsonNode events = node.eventsUntil("?limit=100", e -> e.size() == 4);
    assertThat(ids(events)).containsExactlyInAnyOrder(run + "-a", run + "-b", run + "-c", run + "-ok");
    JsonNode replayed = find(events, run + "-b");
    assertThat(replayed.at("/properties/total").asText()).isEqualTo("12.50");
    assertThat(replayed.path("user_agent").asText()).isEqualTo(CHROME);
    assertThat(replayed.path("ip").asText()).isEqualTo("127.0.0.0");
    assertThat(replayed.path("page_path").asText()).isEqualTo("/checkout/done");
    assertThat(replayed.path("plan_violations").isNull() || replayed.path("plan_violations").isEmpty()).isTrue();
    assertThat(find(events, run + "-ok").path("received_at").asText()).isNotEmpty();

    JsonNode left = node.quarantineUntil(size(2));
    assertThat(ids(left)).containsExactlyInAnyOrder(run + "-noid", run + "-anon");
    assertThat(left).extracting(r -> r.path("reason").asText())
        .containsExactlyInAnyOrder("schema_violation", "no_user_anon_id");

    // Replaying everything again stores nothing twice; what fails still fails.
    JsonNode again = awaitJob(TestNode.JSON.readTree(adminPost("/api/quarantine/replay", "").body()).path("jobId").asText());
    assertThat(again.path("total").asLong()).isEqualTo(2);
    assertThat(again.path("passed").asLong()).isZero();
    assertThat(again.path("stillFailing").asLong()).isEqualTo(2);
    assertThat(again.path("byReason").toString()).isEqualTo("{\"no_user_anon_id\":1,\"schema_violation\":1}");
    assertThat(node.eventsUntil("?limit=100", e -> false)).hasSize(4);
    assertThat(node.quarantineUntil(size(2))).hasSize(2);

    assertThat(metric("trackside_quarantine_replayed_total{result=\"passed\"")).endsWith(" 3.0");
    assertThat(metric("trackside_quarantine_replayed_total{result=\"still_failing\"")).endsWith(" 3.0");
    assertThat(metric("trackside_quarantine_replayed_total{result=\"duplicate\"")).endsWith(" 0.0");
    JsonNode list = TestNode.JSON.readTree(node.api("/api/quarantine/replay").body()).path("jobs");
    assertThat(list).hasSize(2);
    assertThat(list.get(0).path("jobId").asText()).as("newest first").isEqualTo(again.path("jobId").asText());
  }

  @Test
  void anEventResentAfterTheFixIsNotStoredTwiceByTheReplay() throws Exception {
    start(STRICT_PLAN, Map.of("tracking-plan.mode", "block"));
    assertThat(track("resent-1", "anon-r", "{\"order_id\":\"o-r\",\"total\":\"7\"}").statusCode()).isEqualTo(200);
    assertThat(track("resent-2", "anon-r", "{\"order_id\":\"o-s\",\"total\":\"8\"}").statusCode()).isEqualTo(200);
    node.quarantineUntil(size(2));
    Files.writeString(planFile, FIXED_PLAN);
    assertThat(adminPost("/api/tracking-plan/reload", "").statusCode()).isEqualTo(200);
    // The client retries one of them on its own; it is stored now.
    assertThat(track("resent-1", "anon-r", "{\"order_id\":\"o-r\",\"total\":\"7\"}").statusCode()).isEqualTo(200);
    node.eventsUntil("?limit=10", e -> e.size() == 1);

    JsonNode job = awaitJob(TestNode.JSON.readTree(adminPost("/api/quarantine/replay", "").body()).path("jobId").asText());
    assertThat(job.path("passed").asLong()).isEqualTo(1);
    assertThat(job.path("duplicates").asLong()).isEqualTo(1);
    assertThat(ids(node.eventsUntil("?limit=10", e -> e.size() == 2))).containsExactlyInAnyOrder("resent-1", "resent-2");
    assertThat(node.quarantineUntil(size(0))).isEmpty();
    assertThat(metric("trackside_quarantine_replayed_total{result=\"duplicate\"")).endsWith(" 1.0");
  }

  @Test
  void unplannedEventsCanBeBlockedAndReplayedOnceTheyArePlanned() throws Exception {
    start(STRICT_PLAN, Map.of("tracking-plan.unplanned", "block"));
    assertThat(node.post("/v1/track", "{\"event\":\"Coupon Entered\",\"anonymousId\":\"a\",\"messageId\":\"cp-1\"}")
        .statusCode()).isEqualTo(200);
    JsonNode rows = node.quarantineUntil(size(1));
    assertThat(rows.get(0).path("reason").asText()).isEqualTo("unplanned_event");
    assertThat(rows.get(0).path("detail").asText()).isEqualTo("\"Coupon Entered\" is not in the tracking plan");

    JsonNode unchanged = awaitJob(TestNode.JSON.readTree(adminPost("/api/quarantine/replay?reason=unplanned_event", "")
        .body()).path("jobId").asText());
    assertThat(unchanged.path("stillFailing").asLong()).isEqualTo(1);

    Files.writeString(planFile, "{\"events\": {\"Coupon Entered\": {}}}");
    assertThat(adminPost("/api/tracking-plan/reload", "").statusCode()).isEqualTo(200);
    JsonNode job = awaitJob(TestNode.JSON.readTree(adminPost("/api/quarantine/replay?reason=unplanned_event", "")
        .body()).path("jobId").asText());
    assertThat(job.path("passed").asLong()).isEqualTo(1);
    assertThat(ids(node.eventsUntil("?limit=10", e -> e.size() == 1))).containsExactly("cp-1");
  }

  @Test
  void replayFiltersAreCheckedAndTheTimeWindowApplies() throws Exception {
    start(STRICT_PLAN, Map.of("tracking-plan.mode", "block"));
    assertThat(adminPost("/api/quarantine/replay", "{\"since\":\"yesterday\"}").statusCode()).isEqualTo(400);
    assertThat(adminPost("/api/quarantine/replay", "{\"limit\":0}").statusCode()).isEqualTo(400);
    assertThat(adminPost("/api/quarantine/replay", "[1]").statusCode()).isEqualTo(400);
    assertThat(node.api("/api/quarantine/replay/no-such-job").statusCode()).isEqualTo(404);
    assertThat(node.send(HttpRequest.newBuilder(URI.create(node.url("/api/quarantine/replay")))
        .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode()).as("needs the token").isEqualTo(401);

    assertThat(track("w-1", "anon-w", "{\"order_id\":\"o\",\"total\":\"1\"}").statusCode()).isEqualTo(200);
    node.quarantineUntil(size(1));
    Files.writeString(planFile, FIXED_PLAN);
    assertThat(adminPost("/api/tracking-plan/reload", "").statusCode()).isEqualTo(200);
    JsonNode future = awaitJob(TestNode.JSON.readTree(
        adminPost("/api/quarantine/replay", "{\"since\":\"2999-01-01\"}").body()).path("jobId").asText());
    assertThat(future.path("total").asLong()).isZero();
    JsonNode otherSource = awaitJob(TestNode.JSON.readTree(
        adminPost("/api/quarantine/replay", "{\"source\":\"shop\"}").body()).path("jobId").asText());
    assertThat(otherSource.path("total").asLong()).isZero();
    JsonNode limited = awaitJob(TestNode.JSON.readTree(adminPost("/api/quarantine/replay",
        "{\"source\":\"default\",\"since\":\"2020-01-01T00:00:00Z\",\"limit\":5}").body()).path("jobId").asText());
    assertThat(limited.path("total").asLong()).isEqualTo(1);
    assertThat(limited.path("passed").asLong()).isEqualTo(1);
  }

  @Test
  void withoutAPlanFileReloadSaysHowToConfigureOne() throws Exception {
    node = TestNode.start(dir);
    HttpResponse<String> reload = adminPost("/api/tracking-plan/reload", "");
    assertThat(reload.statusCode()).isEqualTo(409);
    assertThat(reload.body()).contains("tracking-plan.file");
    JsonNode shown = TestNode.JSON.readTree(node.api("/api/tracking-plan").body());
    assertThat(shown.path("active").asBoolean()).isFalse();
  }

  @Test
  void aBrokenPlanStopsTheStartNamingTheEvent() throws Exception {
    Path broken = dir.resolve("broken.yml");
    Files.writeString(broken, "events:\n  Order Completed:\n    properties:\n      total: {type: numbr}\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestNode.start(dir, Map.of("tracking-plan.file", broken.toString())))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("event \"Order Completed\"")
        .hasMessageContaining("/properties/total/type")
        .hasMessageContaining("broken.yml");
  }

  // --- the command line, in-process against the running node ---

  private record Run(int exit, String out, String err) {
  }

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void theCommandLineReplaysThroughTheRunningServerAndReportsByReason() throws Exception {
    start(STRICT_PLAN, Map.of("tracking-plan.mode", "block"));
    for (int i = 0; i < 3; i++) {
      assertThat(track("cli-" + i, "anon-" + i, "{\"order_id\":\"o\",\"total\":\"" + i + "\"}").statusCode()).isEqualTo(200);
    }
    assertThat(track("cli-bad", "anon-x", "{\"total\":\"x\"}").statusCode()).isEqualTo(200);
    node.quarantineUntil(size(4));
    Files.writeString(planFile, FIXED_PLAN);
    assertThat(adminPost("/api/tracking-plan/reload", "").statusCode()).isEqualTo(200);

    Run run = cli("replay-quarantine", "--url", node.url(""), "--admin-token", TestNode.ADMIN_TOKEN,
        "--reason", "schema_violation", "--since", "2d", "--poll-millis", "20");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("Replay ").contains("\"reason\":\"schema_violation\"")
        .contains("processed 4/4 · passed 3 · still failing 1")
        .contains("4 replayed: 3 passed and are now in the events table; 1 still fail (stay in the quarantine):"
            + " schema_violation 1");
    assertThat(node.eventsUntil("?limit=10", e -> e.size() == 3)).hasSize(3);

    Run wrongToken = cli("replay-quarantine", "--url", node.url(""), "--admin-token", "not-the-token-at-all");
    assertThat(wrongToken.exit()).isEqualTo(1);
    assertThat(wrongToken.err()).contains("admin token was refused");
  }

  @Test
  void theCommandLineSaysWhatToDoWhenNoServerAnswers() throws Exception {
    int port = TestNode.freePort();
    Run run = cli("replay-quarantine", "--url", "http://127.0.0.1:" + port, "--admin-token", "at_whatever_0123456789");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("cannot reach Trackside at http://127.0.0.1:" + port)
        .contains("connection refused").contains("./trackside serve");
    Run bad = cli("replay-quarantine", "--limit", "many");
    assertThat(bad.exit()).isEqualTo(2);
  }

  private static JsonNode find(JsonNode rows, String messageId) {
    for (JsonNode row : rows) {
      if (messageId.equals(row.path("message_id").asText())) {
        return row;
      }
    }
    throw new AssertionError("no row with message_id " + messageId + " in " + rows);
  }
}
