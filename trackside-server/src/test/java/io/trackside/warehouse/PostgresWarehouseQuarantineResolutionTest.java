package io.trackside.warehouse;

import static io.trackside.warehouse.TestEvents.logged;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared {@link QuarantineResolutionContract} on PostgreSQL, and what the dashboard mirrors learn of a replay. */
class PostgresWarehouseQuarantineResolutionTest extends QuarantineResolutionContract {

  @Override
  protected WarehouseFixture newFixture() throws SQLException {
    return WarehouseFixture.postgres();
  }

  @Test
  void removedRowsAreRecordedForTheMirrorsAndUpdatedRowsGetANewXid() throws SQLException {
    open(1000);
    quarantine(row("p1", "schema_violation", "web", "2026-11-28T10:00:01Z", 1),
        row("d1", "schema_violation", "web", "2026-11-28T10:00:02Z", 2),
        row("f1", "schema_violation", "web", "2026-11-28T10:00:03Z", 3));
    List<QuarantineRow> rows = warehouse.quarantinePage(QuarantineFilter.all(), null, 10);
    Object xidBefore = Sql.value(warehouse, "SELECT written_xid::text FROM quarantine WHERE id = ?", rows.get(2).id());

    warehouse.resolveQuarantine(new QuarantineResolution(
        List.of(new QuarantineResolution.Passed(rows.get(0).id(), logged("p1", 1, 1))),
        List.of(rows.get(1).id()),
        List.of(new QuarantineResolution.Failed(rows.get(2).id(), "unplanned_event", "not in the plan"))));

    assertThat(Sql.rows(warehouse, "SELECT table_name, key_column, key_value FROM mirror_deletes ORDER BY key_value"))
        .containsExactlyInAnyOrder(Map.of("table_name", "quarantine", "key_column", "id", "key_value", rows.get(0).id()),
            Map.of("table_name", "quarantine", "key_column", "id", "key_value", rows.get(1).id()));
    assertThat(Sql.value(warehouse, "SELECT written_xid::text FROM quarantine WHERE id = ?", rows.get(2).id()))
        .isNotEqualTo(xidBefore);
    assertThat(Sql.value(warehouse, "SELECT written_xid::text FROM events"))
        .isEqualTo(Sql.value(warehouse, "SELECT written_xid::text FROM quarantine"));
  }
}
