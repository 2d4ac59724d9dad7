package io.trackside.log;

import static io.trackside.log.LogFixture.config;
import static io.trackside.log.LogFixture.records;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogMetricsTest {
  @TempDir
  Path dir;

  @Test
  void exposesThePrometheusNamesOperatorsLookFor() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (EmbeddedEventLog log = EmbeddedEventLog.open(config(dir, 2), registry)) {
      log.append(records("k", "r", 0, 10, 100)).get(5, TimeUnit.SECONDS);
      String scrape = registry.scrape();
      assertThat(scrape).contains(
          "trackside_log_appended_records_total 10.0",
          "trackside_log_appended_bytes_total 1240.0",
          "trackside_log_fsync_seconds_count 1",
          "trackside_log_group_commit_records_count 1",
          "trackside_log_group_commit_records_sum 10.0",
          "trackside_log_refused_total{reason=\"queue_full\"} 0.0",
          "trackside_log_refused_total{reason=\"disk_full\"} 0.0",
          "trackside_log_size_bytes 1240.0",
          "trackside_log_queued_bytes 0.0");
    }
    assertThat(registry.getMeters()).as("meters removed on close").isEmpty();
  }
}
