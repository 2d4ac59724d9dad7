package io.trackside.server;

import java.time.Duration;

/**
 * {@code warehouse.type: postgresql}: the shared warehouse many nodes write to, and how often a
 * node's local DuckDB copy (what its dashboard queries) catches up with it.
 *
 * @param url            JDBC URL, e.g. {@code jdbc:postgresql://db:5432/trackside?user=trackside&password=…}
 * @param mirrorInterval pause between two polls of the dashboard's copy
 */
record PostgresWarehouseConfig(String url, Duration mirrorInterval) {
  static final Duration DEFAULT_MIRROR_INTERVAL = Duration.ofSeconds(1);

  PostgresWarehouseConfig {
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("warehouse.postgresql.url must be a JDBC URL starting with jdbc:postgresql:,"
          + " got '" + url + "'");
    }
    if (mirrorInterval.isNegative() || mirrorInterval.isZero()) {
      throw new IllegalArgumentException("warehouse.postgresql.mirror-interval must be positive");
    }
  }

  /** The URL without its password, for logs and /readyz. */
  String safeUrl() {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }
}
