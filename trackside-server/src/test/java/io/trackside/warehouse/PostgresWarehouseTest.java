package io.trackside.warehouse;

import static io.trackside.warehouse.TestEvents.RECEIVED_AT;
import static io.trackside.warehouse.TestEvents.logged;
import static io.trackside.warehouse.TestEvents.received;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.Event;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared {@link WarehouseContract} on PostgreSQL, and what only PostgreSQL does. */
class PostgresWarehouseTest extends WarehouseContract {

  @Override
  protected WarehouseFixture newFixture() throws SQLException {
    return WarehouseFixture.postgres();
  }

  private static WarehouseBatch batch(List<LoggedEvent> events, Map<Integer, Long> positions) {
    return new WarehouseBatch("warehouse", events, List.of(), positions);
  }

  @Test
  void rowsLandInThePartitionOfTheirUtcDayOfReceipt() throws SQLException {
    long lastMicroOfMay1 = Instant.parse("2024-05-01T23:59:59.999Z").toEpochMilli();
    warehouse.write(batch(List.of(
        logged(received("web", TestEvents.track("late", "a"), lastMicroOfMay1), 0, 0),
        logged(received("web", TestEvents.track("next", "a"), lastMicroOfMay1 + 1), 0, 1),
        logged(received("web", TestEvents.track("old", "a"), Instant.parse("1999-12-31T12:00:00Z").toEpochMilli()),
            0, 2)), Map.of(0, 3L)));

    assertThat(Sql.rows(warehouse, "SELECT message_id, tableoid::regclass::text AS part FROM events ORDER BY 1"))
        .containsExactly(Map.of("message_id", "late", "part", "events_20240501"),
            Map.of("message_id", "next", "part", "events_20240502"),
            Map.of("message_id", "old", "part", "events_19991231"));
    assertThat(warehouse.recentEvents(1, null, null).get(0)).containsEntry("received_at", "2024-05-02T00:00:00Z");
  }

  @Test
  void aNodeThatDidNotCreateADaysPartitionWritesToItAllTheSame() throws SQLException {
    warehouse.write(batch(List.of(logged("m-1", 0, 0)), Map.of(0, 1L)));
    try (Warehouse other = fixture.open(new SimpleMeterRegistry(), 100)) {
      assertThat(other.write(batch(List.of(logged("m-2", 1, 0)), Map.of(1, 1L))).written()).isEqualTo(1);
    }
    assertThat(warehouse.countEvents()).isEqualTo(2);
  }

  @Test
  void aNulInATextIsQuarantinedAsUnstorableAndTheRestOfTheBatchIsWritten() throws SQLException {
    Event good = logged("m-ok", 0, 0).event();
    Event withNul = new Event("web", "m-nul", "track", "bad\u0000name", null, null, "a", null, null,
        good.timestamp(), null, null, good.receivedAt(), null, null, good.context(), good.properties(),
        good.traits(), good.integrations());

    WriteResult result = warehouse.write(batch(List.of(logged(good, 0, 0), logged(withNul, 0, 1)), Map.of(0, 2L)));

    assertThat(result).isEqualTo(new WriteResult(1, 0, 1));
    assertThat(warehouse.recentQuarantine(10)).singleElement().satisfies(q -> {
      assertThat(q).containsEntry("reason", "unstorable").containsEntry("message_id", "m-nul");
      assertThat((String) q.get("detail")).contains("U+0000");
      assertThat((String) q.get("payload")).contains("bad\uFFFDname");
    });
    assertThat(registry.counter("trackside.warehouse.quarantined", "reason", "unstorable").count()).isEqualTo(1);
  }

  @Test
  void anUnpairedSurrogateIsReplacedAndTheEventKept() throws SQLException {
    Event good = logged("m-ok", 0, 0).event();
    Event broken = new Event("web", "m-sur", "track", "half \uD83D of an emoji \uDE00 and a whole \uD83D\uDE00",
        null, null, "a", null, null, good.timestamp(), null, null, good.receivedAt(), null, null, good.context(),
        good.properties(), good.traits(), good.integrations());

    assertThat(warehouse.write(batch(List.of(logged(broken, 0, 0)), Map.of(0, 1L))).written()).isEqualTo(1);
    assertThat(warehouse.recentEvents(1, null, null).get(0))
        .containsEntry("event", "half \uFFFD of an emoji \uFFFD and a whole \uD83D\uDE00");
  }

  @Test
  void timestampsBeyondPostgresqlsRangeAreUnstorableAndOldOnesBeforeChristKeepTheirValue() throws SQLException {
    Event good = logged("m-ok", 0, 0).event();
    Event tooOld = new Event("web", "m-old", "track", "x", null, null, "a", null, null,
        Instant.parse("-5000-01-01T00:00:00Z"), null, null, good.receivedAt(), null, null, good.context(),
        good.properties(), good.traits(), good.integrations());
    Event bc = new Event("web", "m-bc", "track", "x", null, null, "a", null, null,
        Instant.parse("-0043-03-15T12:00:00.000001Z"), null, null, good.receivedAt(), null, null, good.context(),
        good.properties(), good.traits(), good.integrations());

    WriteResult result = warehouse.write(batch(List.of(logged(tooOld, 0, 0), logged(bc, 0, 1)), Map.of(0, 2L)));

    assertThat(result).isEqualTo(new WriteResult(1, 0, 1));
    assertThat(warehouse.recentEvents(1, null, null).get(0)).containsEntry("timestamp", "-0043-03-15T12:00:00.000001Z");
  }

  @Test
  void updatedIdentitiesGetTheWritingTransactionsXid() throws SQLException {
    String first = IdentitiesContract.event("identify", "anon", "user", "2025-06-02T10:00:00Z", "");
    String later = IdentitiesContract.event("identify", "anon", "user", "2025-06-03T10:00:00Z", "");
    warehouse.write(batch(List.of(logged(received("web", first, RECEIVED_AT), 0, 0)), Map.of(0, 1L)));
    Object xid = Sql.value(warehouse, "SELECT written_xid::text FROM identities");
    warehouse.write(batch(List.of(logged(received("web", later, RECEIVED_AT), 0, 1)), Map.of(0, 2L)));

    assertThat(Sql.value(warehouse, "SELECT written_xid::text FROM identities")).isNotEqualTo(xid);
    assertThat(Sql.value(warehouse, "SELECT last_seen::text FROM identities")).isEqualTo("2025-06-03 10:00:00");
  }
}
