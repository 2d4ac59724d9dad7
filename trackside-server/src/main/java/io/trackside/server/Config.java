package io.trackside.server;

import io.trackside.core.IntakeLimits;
import io.trackside.dashboard.DashboardConfig;
import io.trackside.destination.DestinationConfig;
import io.trackside.log.EmbeddedLogConfig;
import io.trackside.log.KafkaLogConfig;
import io.trackside.pipeline.PipelineConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of a Trackside node, after layering (config file, then TRACKSIDE_* environment
 * variables, then command-line flags). See {@link ConfigLoader} and the sample config it writes.
 *
 * <p>{@code kafkaLog} is null unless {@code log.type: kafka} (then the enriched log for
 * destinations is a second topic, {@code <topic>-enriched}); otherwise the embedded {@code log}
 * settings shape the enriched log the node keeps for its destinations. {@code postgresWarehouse} is
 * null unless {@code warehouse.type: postgresql}.
 */
record Config(Path configFile, String host, int port, Path dataDir, String adminToken,
              boolean trustForwardedFor, List<String> corsOrigins, List<Source> sources, int workers, int backgroundNice,
              IntakeLimits limits, EmbeddedLogConfig log, KafkaLogConfig kafkaLog, int dedupeWindow, String warehouseMemoryLimit,
              PostgresWarehouseConfig postgresWarehouse, NodeRoles roles,
              PipelineConfig pipeline,
              List<DestinationConfig> destinations, String snippetPath, DashboardConfig dashboard) {

  /**
   * A source of events: Segment API requests authenticated by its write key (null when it has
   * none), and gtag.js hits whose measurement id it lists (upper-case; none when empty).
   */
  record Source(String name, String writeKey, List<String> measurementIds) {
  }

  Source sourceForWriteKey(String writeKey) {
    for (Source source : sources) {
      if (writeKey != null && writeKey.equals(source.writeKey())) {
        return source;
      }
    }
    return null;
  }

  /** Source name by write key, for the Segment collector. */
  Map<String, String> sourceByWriteKey() {
    Map<String, String> byKey = new HashMap<>();
    for (Source source : sources) {
      if (source.writeKey() != null) {
        byKey.put(source.writeKey(), source.name());
      }
    }
    return byKey;
  }

  /** Source name by measurement id (upper-case), for the gtag collector. */
  Map<String, String> sourceByMeasurementId() {
    Map<String, String> byId = new HashMap<>();
    for (Source source : sources) {
      source.measurementIds().forEach(id -> byId.put(id, source.name()));
    }
    return byId;
  }
}
