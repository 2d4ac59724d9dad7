package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.log.KafkaBroker;
import io.trackside.log.KafkaEventLog;
import io.trackside.log.KafkaLogConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with {@code log.type: kafka} on a real broker: Segment events posted over HTTP go through
 * the Kafka topic into the DuckDB warehouse, the warehouse's positions are committed in Kafka, and
 * while the broker is down the collector answers 503 with Retry-After, then recovers by itself.
 */
class KafkaEndToEndTest {
  /** A browser: the HTTP client's own User-Agent would be flagged as a bot. */
  private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
      + " Chrome/131.0.0.0 Safari/537.36";
  private static final String TOPIC = "e2e-events";

  @TempDir
  static Path brokerDir;
  static KafkaBroker broker;

  @TempDir
  Path dir;

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.start(brokerDir);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static String batch(int from, int count) {
    StringBuilder batch = new StringBuilder("{\"batch\":[");
    for (int i = from; i < from + count; i++) {
      batch.append(i == from ? "" : ",").append("""
          {"type":"track","event":"Product Viewed","messageId":"m-%d","anonymousId":"a-%d",
           "context":{"ip":"198.51.100.23","userAgent":"%s"}}""".formatted(i, i % 5, CHROME));
    }
    return batch.append("]}").toString();
  }

  @Test
  void eventsPostedToANodeOnKafkaLandInTheWarehouseAndAnOutageAnswers503() throws Exception {
    Map<String, String> flags = Map.of("log.type", "kafka", "log.kafka.bootstrap-servers", broker.bootstrapServers(),
        "log.kafka.topic", TOPIC, "log.kafka.partitions", "3", "log.kafka.append-timeout", "5s");
    try (TestNode node = TestNode.start(dir, flags);
         KafkaEventLog topic = KafkaEventLog.open(KafkaLogConfig.defaults(broker.bootstrapServers()).withTopic(TOPIC),
             new SimpleMeterRegistry())) {
      assertThat(topic.partitions()).as("the node created the topic with log.kafka.partitions").isEqualTo(3);
      assertThat(node.post("/v1/batch", batch(0, 20)).statusCode()).isEqualTo(200);
      // A client retry of the same 20 messageIds: stored in the log again, deduplicated by the warehouse.
      assertThat(node.post("/v1/batch", batch(0, 20)).statusCode()).isEqualTo(200);
      assertThat(endOffsets(topic)).as("records in the topic: 2 posts x 20 events").isEqualTo(40);
      until("20 distinct events in the warehouse", () -> count(node, "SELECT count(*) FROM events") == 20);
      assertThat(count(node, "SELECT count(DISTINCT message_id) FROM events")).isEqualTo(20);
      // The warehouse writer's positions are Kafka offsets: any node (here a second client) sees them.
      until("the warehouse group committed all 40", () -> committed(topic) == 40);
      assertThat(topic.hasCommitted(TracksideNode.WAREHOUSE_GROUP)).isTrue();
      assertThat(ready(node).statusCode()).isEqualTo(200);
      String metrics = node.send(HttpRequest.newBuilder(URI.create(node.url("/metrics"))).GET().build()).body();
      assertThat(metrics).contains("trackside_log_appended_records_total 40.0");

      broker.stop();
      // The first post may wait for the producer to give up (append-timeout 5s); none is answered 200.
      HttpResponse<String> down = node.post("/v1/batch", batch(100, 1));
      assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
      assertThat(down.headers().firstValue("Retry-After")).isPresent();
      until("readiness names Kafka", () -> ready(node).statusCode() == 503 && ready(node).body().contains("Kafka"));
      HttpResponse<String> refused = node.post("/v1/batch", batch(100, 1));
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(TestNode.JSON.readTree(refused.body()).path("code").asText()).isEqualTo("broker_unavailable");
      String refusals = node.send(HttpRequest.newBuilder(URI.create(node.url("/metrics"))).GET().build()).body();
      assertThat(refusals).contains("trackside_log_refused_total{reason=\"broker_unavailable\"}");

      broker.startAgain();
      until("the node takes events again", () -> node.post("/v1/batch", batch(100, 1)).statusCode() == 200);
      until("the event after the outage is in the warehouse", () -> count(node, "SELECT count(*) FROM events") == 21);
      assertThat(ready(node).statusCode()).isEqualTo(200);
    }
  }

  private static long endOffsets(KafkaEventLog topic) {
    long total = 0;
    for (int p = 0; p < topic.partitions(); p++) {
      total += topic.endOffset(p);
    }
    return total;
  }

  private static long committed(KafkaEventLog topic) {
    long total = 0;
    for (int p = 0; p < topic.partitions(); p++) {
      total += topic.committedOffset(TracksideNode.WAREHOUSE_GROUP, p);
    }
    return total;
  }

  private static HttpResponse<String> ready(TestNode node) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url("/readyz"))).GET().build());
  }

  private static long count(TestNode node, String sql) throws Exception {
    try (Connection connection = node.node.warehouse().newConnection();
         Statement statement = connection.createStatement();
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
