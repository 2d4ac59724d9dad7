package io.trackside.cluster;

import static io.trackside.warehouse.TestEvents.received;
import static io.trackside.warehouse.TestEvents.track;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.cluster.PartitionLeasesTest.Await;
import io.trackside.core.ReceivedEvent;
import io.trackside.log.InMemoryEventLog;
import io.trackside.log.LogRecord;
import io.trackside.pipeline.AttributionConfig;
import io.trackside.pipeline.GeoConfig;
import io.trackside.pipeline.PiiPolicy;
import io.trackside.pipeline.PipelineConfig;
import io.trackside.pipeline.StandardPipeline;
import io.trackside.pipeline.StepTimings;
import io.trackside.pipeline.TrackingPlanConfig;
import io.trackside.pipeline.WarehouseWriter;
import io.trackside.warehouse.DuckDbWarehouse;
import io.trackside.warehouse.PgTestDatabase;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes in one process with real warehouse writers on one log, leasing its partitions on a
 * real PostgreSQL: each writer reads exactly what its node owns, and switches when that changes.
 * They share one DuckDB warehouse, standing in for the shared PostgreSQL one (positions and
 * rows in one place), so a handover can be checked for lost and doubled events. The fence is not
 * checked here (DuckDB has no partition_owners); PartitionLeasesTest covers it.
 */
class LeasedWarehouseWriterTest {

  private static final int PARTITIONS = 4;

  @TempDir
  Path dir;

  private PgTestDatabase db;
  private InMemoryEventLog log;
  private DuckDbWarehouse warehouse;
  private StandardPipeline pipelines;
  private final List<Node> nodes = new ArrayList<>();

  /** One node: its leases, its leased writer, and the partitions its writers wrote events of. */
  private final class Node {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Set<Integer> wrote = ConcurrentHashMap.newKeySet();
    final LeasedWarehouseWriter writer;
    final PartitionLeases leases;

    Node(String id) throws SQLException {
      writer = new LeasedWarehouseWriter((partitions, fence) -> {
        WarehouseWriter w = new WarehouseWriter(log, warehouse, pipelines, registry,
            WarehouseWriter.Config.defaults().withPartitions(partitions).withLinger(Duration.ofMillis(20)));
        w.afterCommit(events -> events.forEach(e -> wrote.add(e.logPartition())));
        return w;
      });
      leases = new PartitionLeases(WarehouseWriter.GROUP, id, PARTITIONS, db::connect, writer, registry,
          new PartitionLeases.Config(Duration.ofMillis(200), Duration.ofMinutes(5), Duration.ofMillis(500),
              Duration.ofSeconds(1)));
      leases.start();
      nodes.add(this);
    }

    void close() {
      leases.close();
      writer.close();
      nodes.remove(this);
    }
  }

  @BeforeEach
  void setUp() throws SQLException {
    db = PgTestDatabase.create();
    log = new InMemoryEventLog(PARTITIONS);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), registry, DuckDbWarehouse.DEFAULT_RECENT_IDS);
    // No user-agent parsing: its warm-up takes seconds and is beside the point here.
    pipelines = new StandardPipeline(new PipelineConfig(false, false, false, 10, Duration.ofSeconds(10),
        TrackingPlanConfig.none(), AttributionConfig.defaults(), PiiPolicy.defaults(), true, Duration.ofMinutes(30),
        ZoneId.of("UTC"), GeoConfig.off()), new StepTimings(registry));
  }

  @AfterEach
  void tearDown() throws SQLException {
    for (Node n : new ArrayList<>(nodes)) {
      n.close();
    }
    warehouse.close();
    log.close();
    db.close();
  }

  private void append(int from, int to) {
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
      ends.put(p, log.endOffset(p));
    }
    return ends;
  }

  /** Every event appended is in the warehouse once, and the positions are at the log's end. */
  private void awaitAllWritten(int expected) throws Exception {
    Await.until(() -> warehouse.positions(WarehouseWriter.GROUP).equals(endOffsets()));
    List<Map<String, Object>> rows = warehouse.recentEvents(expected + 10, null, null);
    Set<Object> messageIds = new HashSet<>();
    rows.forEach(r -> messageIds.add(r.get("message_id")));
    assertThat(rows).hasSize(expected);
    assertThat(messageIds).hasSize(expected);
  }

  @Test
  void eachWriterReadsWhatItsNodeLeasesAndTheWorkMovesWithTheLeases() throws Exception {
    Node a = new Node("node-a");
    Await.until(() -> a.writer.partitions().equals(Set.of(0, 1, 2, 3)));
    append(0, 200);
    awaitAllWritten(200);

    Node b = new Node("node-b");
    Await.until(() -> a.writer.partitions().equals(Set.of(0, 2)) && b.writer.partitions().equals(Set.of(1, 3)));
    a.wrote.clear();
    append(200, 400);
    awaitAllWritten(400);
    assertThat(a.wrote).isNotEmpty().isSubsetOf(0, 2);
    assertThat(b.wrote).isNotEmpty().isSubsetOf(1, 3);
    assertThat(a.writer.check()).isNull();
    assertThat(b.writer.check()).isNull();

    b.close();
    Await.until(() -> a.writer.partitions().equals(Set.of(0, 1, 2, 3)));
    assertThat(b.writer.partitions()).isEmpty();
    a.wrote.clear();
    b.wrote.clear();
    append(400, 600);
    awaitAllWritten(600);
    assertThat(a.wrote).containsAnyOf(1, 3);
    assertThat(b.wrote).isEmpty();
  }
}
