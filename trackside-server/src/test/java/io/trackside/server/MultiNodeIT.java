package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.log.KafkaBroker;
import io.trackside.log.KafkaEventLog;
import io.trackside.log.KafkaLogConfig;
import io.trackside.warehouse.PgTestDatabase;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's proof: three Trackside processes on one Kafka topic and one PostgreSQL — A collects
 * and delivers (without processing), B collects, processes and serves a dashboard (without
 * delivering, so its destinations API says so), C processes,
 * delivers and serves the dashboard. Load goes through both collectors; C is killed with SIGKILL
 * mid-run, B takes over its log partitions and A its enriched partitions. Without restarting C,
 * every acknowledged event is in PostgreSQL exactly once, in the enriched topic exactly once (the
 * enriched tail rule held across the takeover), and has reached the webhook stand-in, where
 * repeats are limited to what was in flight at the kill and carry the same event id.
 */
class MultiNodeIT {
  private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
      + " Chrome/131.0.0.0 Safari/537.36";

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void everyAcknowledgedEventIsInPostgresqlOnceAndDeliveredAfterAWorkerIsKilled() throws Exception {
    Map<String, Integer> delivered = new ConcurrentHashMap<>();
    com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 64);
    hook.createContext("/hook", exchange -> {
      for (var event : TestNode.JSON.readTree(exchange.getRequestBody().readAllBytes()).path("batch")) {
        delivered.merge(event.path("eventId").asText(), 1, Integer::sum);
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    hook.start();
    try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka")); PgTestDatabase db = PgTestDatabase.create()) {
      Files.writeString(dir.resolve("trackside.yml"), """
          workers: 1
          log:
            type: kafka
            kafka:
              bootstrap-servers: %s
              topic: multi-node
              partitions: 6
          warehouse:
            type: postgresql
            postgresql:
              url: %s
              mirror-interval: 500ms
          destinations:
            - id: hook
              type: webhook
              url: http://127.0.0.1:%d/hook
              unknown-consent: grant
          """.formatted(broker.bootstrapServers(), db.url(), hook.getAddress().getPort()));
      run(db, broker, delivered);
    } finally {
      hook.stop(0);
    }
  }

  private void run(PgTestDatabase db, KafkaBroker broker, Map<String, Integer> delivered) throws Exception {
    int portA = TestNode.freePort();
    int portB = TestNode.freePort();
    int portC = TestNode.freePort();
    Process a = start("a", portA, "collect,deliver");
    Process b = start("b", portB, "collect,process,dashboard");
    Process c = start("c", portC, "process,deliver,dashboard");
    List<Process> all = new ArrayList<>(List.of(a, b, c));
    try {
      until("both workers own partitions", () -> owners(db) == 2);
      until("both deliverers own enriched partitions", () -> count(db, "SELECT count(DISTINCT owner) FROM"
          + " partition_owners WHERE grp = 'deliver:hook'") == 2);
      Set<String> acked = ConcurrentHashMap.newKeySet();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        int port = t % 2 == 0 ? portA : portB; // load through both collectors
        Thread sender = new Thread(() -> {
          for (int batch = 0; !stop.get(); batch++) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
              ids.add("mn-" + thread + "-" + batch + "-" + i);
            }
            // A batch without an answer is sent again, as SDKs do (same messageIds).
            for (int attempt = 0; attempt < 50; attempt++) {
              if (postBatch(port, ids) == 200) {
                acked.addAll(ids);
                break;
              }
              sleep(200);
            }
          }
        });
        sender.start();
        senders.add(sender);
      }
      until("load is flowing", () -> acked.size() > 2_000 && stored(db) > 1_000);
      c.destroyForcibly(); // SIGKILL: a worker dies mid-run
      c.waitFor();
      until("B took over C's partitions", () -> owned(db, "127.0.0.1:" + portB) == 6);
      long ackedAtKill = acked.size();
      until("more load after the kill", () -> acked.size() > ackedAtKill + 2_000);
      stop.set(true);
      for (Thread sender : senders) {
        sender.join(30_000);
      }
      until("every acknowledged event in PostgreSQL", () -> stored(db) >= acked.size());

      // No restart of C: its enriched events are in the shared topic, and A delivers C's partitions now.
      until("A delivers every enriched partition", () -> count(db, "SELECT count(*) FROM partition_owners"
          + " WHERE grp = 'deliver:hook' AND owner LIKE '127.0.0.1:" + portA + ":%'") == 6);
      until("every acknowledged event delivered", () -> acked.stream().allMatch(id ->
          delivered.containsKey(io.trackside.destination.EnrichedLogRecords.eventId("default", id))));

      HttpResponse<String> notHere = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portB
          + "/api/destinations")).header("Authorization", "Bearer " + TestNode.ADMIN_TOKEN).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(notHere.statusCode()).as("a dashboard on a node that does not deliver").isEqualTo(503);
      assertThat(notHere.body()).contains("not_delivering");

      assertThat(count(db, "SELECT count(*) FROM events")).as("no event stored twice").isEqualTo(acked.size());
      assertThat(count(db, "SELECT count(DISTINCT message_id) FROM events")).isEqualTo(acked.size());
      assertThat(enrichedRecords(broker)).as("each stored event in the enriched topic once, C's last appends"
          + " before the kill included").isEqualTo(acked.size());
      long repeats = delivered.values().stream().filter(n -> n > 1).count();
      // Only the batch C had read but not committed at the kill can go twice: one read, at most 5,000 events.
      assertThat(repeats).as("events the webhook received twice").isLessThanOrEqualTo(5_000);
      System.out.printf("MultiNodeIT: %d events acknowledged through 2 collectors, all in PostgreSQL once;"
          + " %d delivered, %d of them twice%n", acked.size(), delivered.size(), repeats);
    } finally {
      for (Process p : all) {
        p.destroy();
      }
      for (Process p : all) {
        p.waitFor();
      }
    }
  }

  /** Records in the enriched topic (nothing is old enough for retention to have deleted any). */
  private static long enrichedRecords(KafkaBroker broker) {
    try (KafkaEventLog enriched = KafkaEventLog.open(KafkaLogConfig.defaults(broker.bootstrapServers())
        .withTopic("multi-node-enriched").withPartitions(6), new SimpleMeterRegistry(), "test.enriched")) {
      long records = 0;
      for (int p = 0; p < enriched.partitions(); p++) {
        records += enriched.endOffset(p);
      }
      return records;
    }
  }

  private static long stored(PgTestDatabase db) throws Exception {
    return count(db, "SELECT count(*) FROM events");
  }

  private static long owners(PgTestDatabase db) throws Exception {
    return count(db, "SELECT count(DISTINCT owner) FROM partition_owners WHERE grp = 'warehouse'");
  }

  private static long owned(PgTestDatabase db, String nodePrefix) throws Exception {
    try (Connection conn = db.connect(); Statement s = conn.createStatement();
         ResultSet rs = s.executeQuery("SELECT owner FROM partition_owners WHERE grp = 'warehouse'")) {
      long n = 0;
      while (rs.next()) {
        n += rs.getString(1).startsWith(nodePrefix + ":") ? 1 : 0;
      }
      return n;
    }
  }

  private static long count(PgTestDatabase db, String sql) throws Exception {
    try (Connection conn = db.connect(); Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      return -1; // tables not made yet
    }
  }

  private int postBatch(int port, List<String> ids) {
    StringBuilder body = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < ids.size(); i++) {
      body.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"Product Viewed\",\"anonymousId\":\"v-")
          .append(Math.floorMod(ids.get(i).hashCode(), 500)).append("\",\"messageId\":\"").append(ids.get(i))
          .append("\",\"context\":{\"userAgent\":\"").append(CHROME).append("\"}}");
    }
    body.append("]}");
    try {
      HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/batch"))
          .timeout(Duration.ofSeconds(20)).header("Authorization", TestNode.basic(TestNode.WRITE_KEY))
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.discarding());
      return response.statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private Process start(String name, int port, String roles) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
        "io.trackside.server.Main", "serve", "--config", dir.resolve("trackside.yml").toString(),
        "--data", dir.resolve("data-" + name.charAt(0)).toString(), "--host", "127.0.0.1",
        "--port", Integer.toString(port), "--roles", roles,
        "--write-key", TestNode.WRITE_KEY, "--admin-token", TestNode.ADMIN_TOKEN);
    File log = dir.resolve(name + ".log").toFile();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("Trackside " + name + " exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
            .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          return process;
        }
      } catch (java.io.IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    throw new AssertionError("Trackside " + name + " did not become ready within 90 s; see " + log);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void until(String what, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within 120 s");
      }
      Thread.sleep(200);
    }
  }
}
