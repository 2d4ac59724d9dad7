package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared {@link WarehouseContract} on DuckDB, and what only the DuckDB file does. */
class DuckDbWarehouseTest extends WarehouseContract {

  @TempDir
  Path dir;

  @Override
  protected WarehouseFixture newFixture() {
    return WarehouseFixture.duckDb(dir.resolve("data/warehouse.duckdb"));
  }

  @Test
  void refusesATableWithOtherColumns() throws SQLException {
    Path other = dir.resolve("other.duckdb");
    try (var conn = DriverManager.getConnection("jdbc:duckdb:" + other); Statement s = conn.createStatement()) {
      s.execute("CREATE TABLE events (message_id VARCHAR, source VARCHAR)");
    }

    assertThatThrownBy(() -> DuckDbWarehouse.open(other, registry))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("table events has columns");
  }
}
