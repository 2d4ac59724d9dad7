package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The PostgreSQL tables: created twice without harm, with every DuckDB events column, partitioned by day. */
class PgSchemaTest {

  @Test
  void createsTheTablesIdempotentlyWithTheDuckDbColumnsAndDayPartitions() throws Exception {
    try (PgTestDatabase db = PgTestDatabase.create(); Connection conn = db.connect()) {
      PgSchema.create(conn);
      PgSchema.create(conn);
      List<String> columns = new ArrayList<>();
      try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(
          "SELECT column_name FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position")) {
        while (rs.next()) {
          columns.add(rs.getString(1));
        }
      }
      List<String> expected = new ArrayList<>(Schema.EVENTS.stream().map(Schema.Column::name).toList());
      expected.add("written_xid");
      assertThat(columns).isEqualTo(expected);

      LocalDate day = LocalDate.of(2026, 11, 29);
      try (Statement s = conn.createStatement()) {
        s.execute(PgSchema.partitionDdl(day));
        s.execute(PgSchema.partitionDdl(day));
        s.execute("INSERT INTO events (message_id, source, received_at) VALUES ('m1', 'web', '2026-11-29 23:59:59')");
        try (ResultSet rs = s.executeQuery("SELECT tableoid::regclass::text, written_xid IS NOT NULL FROM events")) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo("events_20261129");
          assertThat(rs.getBoolean(2)).isTrue();
        }
      }
    }
  }
}
