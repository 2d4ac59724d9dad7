package io.trackside.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.warehouse.PgTestDatabase;
import io.trackside.warehouse.PostgresWarehouse;
import io.trackside.warehouse.TestEvents;
import io.trackside.warehouse.WarehouseBatch;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lease's fence inside the PostgreSQL warehouse's write: a node whose epoch of a partition is
 * no longer the owner's writes nothing — neither rows nor positions — and the rightful owner's
 * write of the same batch goes through.
 */
class FencedWriteTest {

  @Test
  void aWriteFencedAtAnOldEpochKeepsNothingAndTheOwnersWriteGoesThrough() throws Exception {
    try (PgTestDatabase db = PgTestDatabase.create()) {
      try (Connection conn = db.connect(); Statement s = conn.createStatement()) {
        LeaseTables.create(conn);
        s.execute("INSERT INTO partition_owners (grp, partition, owner, epoch, acquired_at)"
            + " VALUES ('warehouse', 0, 'node-b', 7, now())");
      }
      try (PostgresWarehouse warehouse = PostgresWarehouse.open(db.url(), new SimpleMeterRegistry(), 1000)) {
        WarehouseBatch batch = new WarehouseBatch("warehouse", List.of(TestEvents.logged("m-1", 0, 41)), List.of(),
            Map.of(0, 42L), new Fence("warehouse", "node-a", Map.of(0, 6L)));
        assertThatThrownBy(() -> warehouse.write(batch)).isInstanceOf(LeaseLostException.class)
            .hasMessageContaining("node-b");
        assertThat(count(db, "SELECT count(*) FROM events")).isZero();
        assertThat(warehouse.positions("warehouse")).isEmpty();

        WarehouseBatch owners = new WarehouseBatch("warehouse", batch.events(), List.of(), batch.nextOffsets(),
            new Fence("warehouse", "node-b", Map.of(0, 7L)));
        assertThat(warehouse.write(owners).written()).isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM events")).isEqualTo(1);
        assertThat(warehouse.positions("warehouse")).isEqualTo(Map.of(0, 42L));
      }
    }
  }

  private static long count(PgTestDatabase db, String sql) throws Exception {
    try (Connection conn = db.connect(); Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
