package io.trackside.pipeline;

import static io.trackside.warehouse.TestEvents.received;
import static io.trackside.warehouse.TestEvents.track;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trackside.core.ReceivedEvent;
import io.trackside.log.InMemoryEventLog;
import io.trackside.log.LogConsumer;
import io.trackside.log.LogRecord;
import io.trackside.warehouse.DuckDbWarehouse;
import io.trackside.warehouse.WarehouseTestAccess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarehouseWriterTest {

  private static final int PARTITIONS = 4;

  @TempDir
  Path dir;

  private PrometheusMeterRegistry registry;
  private InMemoryEventLog log;
  private DuckDbWarehouse warehouse;
  private WarehouseWriter writer;

  @BeforeEach
  void setUp() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    log = new InMemoryEventLog(PARTITIONS);
    warehouse = openWarehouse(DuckDbWarehouse.DEFAULT_RECENT_IDS);
  }

  @AfterEach
  void tearDown() {
    if (writer != null) {
      writer.stop();
    }
    warehouse.close();
    log.close();
  }

  private DuckDbWarehouse openWarehouse(int recentIds) {
    return DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), registry, recentIds);
  }

  private WarehouseWriter startWriter(int workers) {
    writer = new WarehouseWriter(log, warehouse,
        new StandardPipeline(PipelineConfig.defaults(), new StepTimings(registry)), registry, WarehouseWriter.Config.defaults().withWorkers(workers));
    writer.start();
    return writer;
  }

  private void appendEvents(int from, int to) {
    List<LogRecord> records = new ArrayList<>();
    for (int i = from; i < to; i++) {
      String visitor = "anon-" + (i % 37);
      ReceivedEvent event = received("web", track("m-" + i, visitor), System.currentTimeMillis());
      records.add(new LogRecord(visitor, event.receivedAtMillis(), event.encode()));
    }
    log.append(records).join();
  }

  private Map<Integer, Long> endOffsets() {
    Map<Integer, Long> ends = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      if (log.endOffset(p) > 0) {
        ends.put(p, log.endOffset(p));
      }
    }
    return ends;
  }

  private Map<Integer, Long> logCommits() {
    Map<Integer, Long> commits = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      long c = log.committedOffset(WarehouseWriter.GROUP, p);
      if (c > 0) {
        commits.put(p, c);
      }
    }
    return commits;
  }

  @Test
  void movesEveryEventFromTheLogIntoTheWarehouseAndCommitsTheSamePositions() throws Exception {
    startWriter(2);
    appendEvents(0, 1000);

    Await.until(() -> warehouse.countEvents() == 1000);
    Await.until(() -> logCommits().equals(endOffsets()));

    assertThat(warehouse.positions(WarehouseWriter.GROUP)).isEqualTo(endOffsets());
    assertThat(registry.counter("trackside.warehouse.written.events").count()).isEqualTo(1000);
    assertThat(registry.timer("trackside.pipeline.latency").count()).isEqualTo(1000);
    assertThat(registry.get("trackside.warehouse.last.received.at").gauge().value()).isPositive();
    assertThat(writer.check()).isNull();
  }

  @Test
  void aWriterGivenSomePartitionsReadsOnlyThose() throws Exception {
    writer = new WarehouseWriter(log, warehouse,
        new StandardPipeline(PipelineConfig.defaults(), new StepTimings(registry)), registry,
        WarehouseWriter.Config.defaults().withWorkers(2).withPartitions(Set.of(1, 3)));
    writer.start();
    appendEvents(0, 400);
    Map<Integer, Long> ends = endOffsets();
    assertThat(ends).containsKeys(0, 1, 2, 3);

    Await.until(() -> warehouse.positions(WarehouseWriter.GROUP).equals(Map.of(1, ends.get(1), 3, ends.get(3))));
    Await.until(() -> logCommits().keySet().equals(Set.of(1, 3)));
    assertThat(warehouse.countEvents()).isEqualTo(ends.get(1) + ends.get(3));
    for (Map<String, Object> row : warehouse.recentEvents(500, null, null)) {
      assertThat(((Number) row.get("log_partition")).intValue()).isIn(1, 3);
    }
  }

  @Test
  void anUndecodableRecordIsQuarantinedAndTheWorkerGoesOn() throws Exception {
    startWriter(1);
    appendEvents(0, 10);
    log.appendTo(0, System.currentTimeMillis(), new byte[] {9, 9, 9}); // not a ReceivedEvent
    ReceivedEvent badJson = received("web", "{\"type\":\"track\",", System.currentTimeMillis());
    log.appendTo(0, badJson.receivedAtMillis(), badJson.encode());
    ReceivedEvent refusedByCollector = new ReceivedEvent(System.currentTimeMillis(), "web", "203.0.113.7", null,
        "missing_type", "the event has no type", "{\"messageId\":\"m-q\"}".getBytes(StandardCharsets.UTF_8));
    log.appendTo(0, refusedByCollector.receivedAtMillis(), refusedByCollector.encode());
    appendEvents(10, 20);

    Await.until(() -> warehouse.countEvents() == 20 && warehouse.recentQuarantine(10).size() == 3);

    List<Map<String, Object>> quarantine = warehouse.recentQuarantine(10);
    assertThat(quarantine).extracting(r -> r.get("reason"))
        .containsExactlyInAnyOrder("undecodable", "undecodable", "missing_type");
    assertThat(quarantine).filteredOn(r -> "missing_type".equals(r.get("reason"))).singleElement()
        .satisfies(r -> assertThat(r).containsEntry("message_id", "m-q")
            .containsEntry("detail", "the event has no type")
            .containsEntry("payload", "{\"messageId\":\"m-q\"}"));
    assertThat(registry.counter("trackside.warehouse.quarantined", "reason", "undecodable").count()).isEqualTo(2);
    assertThat(registry.counter("trackside.warehouse.quarantined", "reason", "missing_type").count()).isEqualTo(1);
    Await.until(() -> logCommits().equals(endOffsets()));
  }

  /**
   * A crash after the warehouse committed but before the log did: the log would hand the same
   * records out again. The worker must resume from the warehouse's position. The dedupe window
   * is shrunk to one id so that it cannot hide a mistake here.
   */
  @Test
  void resumesFromTheWarehousesPositionAfterARestart() throws Exception {
    warehouse.close();
    warehouse = openWarehouse(1);
    startWriter(2);
    appendEvents(0, 500);
    Await.until(() -> warehouse.countEvents() == 500);
    writer.stop();

    log.forgetCommits(WarehouseWriter.GROUP);
    warehouse.close();
    warehouse = openWarehouse(1);
    appendEvents(500, 1000);
    startWriter(2);

    Await.until(() -> warehouse.countEvents() == 1000);
    Await.until(() -> logCommits().equals(endOffsets()));
    assertNoDuplicatesAndNothingMissing(1000);
  }

  @Test
  void withoutAWarehousePositionItStartsAtTheLogsCommittedOffset() throws Exception {
    appendEvents(0, 200);
    long end = log.endOffset(0);
    try (LogConsumer other = log.consumer(WarehouseWriter.GROUP, List.of(0))) {
      other.commit(Map.of(0, end - 5)); // say partition 0 was written up to here by an older version
    }

    startWriter(2);
    Await.until(() -> logCommits().equals(endOffsets()));

    assertThat(warehouse.countEvents()).isEqualTo(200 - (end - 5));
  }

  @Test
  void aFailingWarehouseWriteIsRetriedUntilItWorksAndNeverSkipped() throws Exception {
    try (DuckDBConnection admin = WarehouseTestAccess.connection(warehouse); Statement s = admin.createStatement()) {
      startWriter(2);
      s.execute("ALTER TABLE log_positions RENAME TO log_positions_away"); // every write now fails
      appendEvents(0, 300);

      Await.until(() -> writer.check() != null);
      Thread.sleep(1500); // at least one retry
      assertThat(warehouse.countEvents()).isZero();
      assertThat(logCommits()).isEmpty();
      assertThat(registry.counter("trackside.warehouse.write.failures").count()).isGreaterThanOrEqualTo(2);

      s.execute("ALTER TABLE log_positions_away RENAME TO log_positions");
    }
    Await.until(() -> warehouse.countEvents() == 300);
    Await.until(() -> logCommits().equals(endOffsets()));
    Await.until(() -> writer.check() == null);
    assertNoDuplicatesAndNothingMissing(300);
  }

  @Test
  void stopWritesAndCommitsTheBatchInHandAndARestartTakesTheRest() throws Exception {
    appendEvents(0, 20_000);
    startWriter(2);
    Await.until(() -> warehouse.countEvents() > 0);
    writer.stop();

    // Everything read was written and committed, on both sides, and nothing else.
    Map<Integer, Long> positions = warehouse.positions(WarehouseWriter.GROUP);
    assertThat(logCommits()).isEqualTo(positions);
    assertThat(warehouse.countEvents()).isEqualTo(positions.values().stream().mapToLong(Long::longValue).sum());

    startWriter(2);
    Await.until(() -> warehouse.countEvents() == 20_000);
    assertNoDuplicatesAndNothingMissing(20_000);
  }

  @Test
  void moreWorkersThanPartitionsIsFine() throws Exception {
    startWriter(PARTITIONS + 2);
    appendEvents(0, 100);

    Await.until(() -> warehouse.countEvents() == 100);
  }

  @Test
  void metricsCarryTheirPrometheusNames() throws Exception {
    startWriter(1);
    appendEvents(0, 10);
    appendEvents(0, 1); // a client retry of m-0
    log.appendTo(0, System.currentTimeMillis(), new byte[] {1});
    Await.until(() -> logCommits().equals(endOffsets()));

    assertThat(registry.scrape()).contains(
        "trackside_warehouse_written_events_total 10.0",
        "trackside_warehouse_duplicates_total 1.0",
        "trackside_warehouse_quarantined_total{reason=\"undecodable\"} 1.0",
        "trackside_warehouse_write_seconds_count",
        "trackside_pipeline_latency_seconds_bucket",
        "trackside_warehouse_last_received_at_seconds");
    // The Prometheus format has no quantiles for a histogram (use histogram_quantile there);
    // the client-side percentiles are still kept for in-process readers such as the benchmark.
    assertThat(registry.get("trackside.pipeline.latency").timer().takeSnapshot().percentileValues())
        .extracting(v -> v.percentile()).containsExactly(0.5, 0.99);
  }

  private void assertNoDuplicatesAndNothingMissing(int expected) throws SQLException {
    List<Map<String, Object>> rows = warehouse.recentEvents(expected + 10, null, null);
    assertThat(rows).hasSize(expected);
    Set<String> positions = new HashSet<>();
    Set<Object> messageIds = new HashSet<>();
    for (Map<String, Object> row : rows) {
      positions.add(row.get("log_partition") + "/" + row.get("log_offset"));
      messageIds.add(row.get("message_id"));
    }
    assertThat(positions).hasSize(expected);
    assertThat(messageIds).hasSize(expected);
    assertThat(warehouse.positions(WarehouseWriter.GROUP)).isEqualTo(endOffsets());
  }

  /** Polls a condition until it holds, failing after ten seconds. */
  static final class Await {
    interface Condition {
      boolean holds() throws Exception;
    }

    /** 60 s: the first events of a test JVM wait for the user-agent analyzer's warm-up (seconds on a busy machine). */
    static void until(Condition condition) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!condition.holds()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("condition not met within 60 s");
        }
        Thread.sleep(20);
      }
    }
  }
}
