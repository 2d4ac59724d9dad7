package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared {@link QuarantineResolutionContract} on DuckDB, and upgrading a file of the first version. */
class QuarantineResolutionTest extends QuarantineResolutionContract {

  @TempDir
  Path dir;

  @Override
  protected WarehouseFixture newFixture() {
    return WarehouseFixture.duckDb(dir.resolve("warehouse.duckdb"));
  }

  @Test
  void aQuarantineTableOfTheFirstVersionGetsTheReplayColumnsAndIds() throws Exception {
    Path file = dir.resolve("warehouse.duckdb");
    try (Connection conn = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = conn.createStatement()) {
      s.execute("CREATE TABLE quarantine (received_at TIMESTAMP, source VARCHAR, reason VARCHAR, detail VARCHAR,"
          + " message_id VARCHAR, payload VARCHAR, log_partition INTEGER, log_offset BIGINT)");
      s.execute("INSERT INTO quarantine VALUES (TIMESTAMP '2026-11-01 10:00:00', 'web', 'event_too_large', 'big',"
          + " 'old-1', '{}', 0, 1), (TIMESTAMP '2026-11-01 10:00:01', 'web', 'event_too_large', 'big', 'old-2', '{}', 0, 2)");
    }
    open(1000);
    List<QuarantineRow> rows = warehouse.quarantinePage(QuarantineFilter.all(), null, 10);
    assertThat(rows).hasSize(2);
    assertThat(rows).allSatisfy(r -> assertThat(r.id()).hasSize(36));
    assertThat(rows.get(0).id()).isNotEqualTo(rows.get(1).id());
    assertThat(rows.get(0).ip()).isNull();
    quarantine(row("new-1", "schema_violation", "web", "2026-11-28T10:00:01Z", 3));
    try (Connection conn = warehouse.newConnection(); Statement s = conn.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM quarantine WHERE id IS NOT NULL AND ip IS NOT NULL")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(1);
    }
  }
}
