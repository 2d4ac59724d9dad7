package io.trackside.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.trackside.cluster.LeasedWarehouseWriter;
import io.trackside.cluster.PartitionLeases;
import io.trackside.log.EventLog;
import io.trackside.pipeline.EnrichedLogForwarder;
import io.trackside.pipeline.Pipeline;
import io.trackside.pipeline.WarehouseWriter;
import io.trackside.warehouse.LoggedEvent;
import io.trackside.warehouse.Warehouse;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process role: the warehouse writer moving events from the log through the pipeline into
 * the warehouse. On the embedded DuckDB warehouse one writer takes every partition. On a shared
 * PostgreSQL warehouse the partitions are leased ({@link PartitionLeases}): each is written by
 * one live node at a time, moves to the others when a node stops or dies, and every write
 * checks the lease in its own transaction, so a node that lost a partition cannot commit for it.
 */
final class Processing implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Processing.class);

  private final WarehouseWriter single;
  private final LeasedWarehouseWriter leased;
  private final PartitionLeases leases;

  private Processing(WarehouseWriter single, LeasedWarehouseWriter leased, PartitionLeases leases) {
    this.single = single;
    this.leased = leased;
    this.leases = leases;
  }

  /**
   * @param forward     called before each commit (the enriched log for destinations), or null
   * @param afterCommit called after each commit (the live view), or null
   */
  static Processing create(Config config, EventLog log, Warehouse warehouse, Pipeline.Factory pipelines,
                           MeterRegistry registry, EnrichedLogForwarder forward,
                           Consumer<List<LoggedEvent>> afterCommit) {
    WarehouseWriter.Config writerConfig = WarehouseWriter.Config.defaults().withWorkers(config.workers());
    if (config.postgresWarehouse() == null) {
      return new Processing(writer(log, warehouse, pipelines, registry, writerConfig, forward, afterCommit), null,
          null);
    }
    LeasedWarehouseWriter leased = new LeasedWarehouseWriter((partitions, fence) -> {
      if (forward != null) {
        // Another node may have appended to these enriched partitions while it owned them.
        forward.reacquired(partitions);
      }
      return writer(log, warehouse, pipelines, registry, writerConfig.withPartitions(partitions).withFence(fence),
          forward, afterCommit);
    });
    String url = config.postgresWarehouse().url();
    PartitionLeases leases = new PartitionLeases(WarehouseWriter.GROUP, nodeId(config), log.partitions(),
        () -> DriverManager.getConnection(url), leased, registry, PartitionLeases.Config.defaults());
    return new Processing(null, leased, leases);
  }

  /** host:port:random, with the machine's name when the node listens on every address. */
  static String nodeId(Config config) {
    String host = config.host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        // keep the bind address: the random part still tells the nodes apart
      }
    }
    return PartitionLeases.nodeId(host, config.port());
  }

  private static WarehouseWriter writer(EventLog log, Warehouse warehouse, Pipeline.Factory pipelines,
                                        MeterRegistry registry, WarehouseWriter.Config config,
                                        Warehouse.BeforeCommit forward, Consumer<List<LoggedEvent>> afterCommit) {
    WarehouseWriter writer = new WarehouseWriter(log, warehouse, pipelines, registry, config);
    if (forward != null) {
      writer.forwardTo(forward);
    }
    if (afterCommit != null) {
      writer.afterCommit(afterCommit);
    }
    return writer;
  }

  void start() throws SQLException {
    if (single != null) {
      single.start();
    } else {
      leases.start();
      LOG.info("Processing: node {} leases its share of the {} log partitions from PostgreSQL", leases.nodeId(),
          WarehouseWriter.GROUP);
    }
  }

  /** Null while writing works, otherwise what is wrong, for /readyz. */
  String check() {
    if (single != null) {
      return single.check();
    }
    String lease = leases.check();
    return lease != null ? "partition leases: " + lease : leased.check();
  }

  /** Finishes the batches in hand; a leased node gives its partitions back for the others to take at once. */
  @Override
  public void close() {
    if (single != null) {
      single.stop();
    } else {
      leases.close(); // revokes (stopping the writer) before it unlocks
      leased.close();
    }
  }
}
