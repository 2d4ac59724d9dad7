package io.trackside.warehouse;

import static io.trackside.warehouse.TestEvents.RECEIVED_AT;
import static io.trackside.warehouse.TestEvents.logged;
import static io.trackside.warehouse.TestEvents.received;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.Event;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void aNodeTakingPartitionsOverRecognisesRetriesOfWhatThePreviousOwnerStored() throws SQLException {
    long now = System.currentTimeMillis();
    try (Warehouse taker = fixture.open(new SimpleMeterRegistry(), 100)) { // opened before the other node wrote
      warehouse.write(batch(List.of(logged(received("web", TestEvents.track("m-2", "a"), now), 2, 0),
          logged(received("web", TestEvents.track("m-3", "b"), now), 3, 0)), Map.of(2, 1L, 3, 1L)));
      taker.writingPartitions(java.util.Set.of(2));
      WriteResult retry = taker.write(batch(List.of(logged(received("web", TestEvents.track("m-2", "a"), now), 2, 1)),
          Map.of(2, 2L)));
      assertThat(retry.duplicates()).as("the retry of m-2 on the partition taken over").isEqualTo(1);
      assertThat(retry.written()).isZero();
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

  @TempDir
  Path dir;

  /** Visitors with sessions, campaigns and click ids, a page view, hostile text and a quarantined record. */
  private static WarehouseBatch richBatch() {
    List<LoggedEvent> events = new ArrayList<>();
    String[][] visits = {
        {"v-1", "2024-05-01T08:00:00Z", "https://shop.example/?utm_source=news&utm_medium=email&gclid=g-1"},
        {"v-1", "2024-05-01T08:05:00Z", "https://shop.example/p/1"},
        {"v-1", "2024-05-01T11:00:00Z", "https://shop.example/?utm_campaign=later"},
        {"v-2", "2024-05-01T09:30:00Z", "https://shop.example/?fbclid=f-2"},
        {"v-2", "2024-05-01T09:31:30.123456Z", "https://shop.example/cart"}};
    long offset = 0;
    for (String[] v : visits) {
      String json = "{\"type\":\"page\",\"messageId\":\"m-" + offset + "\",\"anonymousId\":\"" + v[0]
          + "\",\"timestamp\":\"" + v[1] + "\",\"context\":{\"page\":{\"url\":\"" + v[2] + "\"}}}";
      long receivedAt = Instant.parse(v[1]).toEpochMilli() + 500;
      events.add(logged(received("web", json, receivedAt), 0, offset++));
    }
    events.add(hostileEvent("m-hostile", 0, offset++));
    QuarantinedRecord q = new QuarantinedRecord(Instant.parse("2024-05-01T10:00:05.25Z"), "web", "invalid_json",
        "tab\there", "m-q", "{\"a\":\\N,\t\n\uFFFD}".getBytes(StandardCharsets.UTF_8), 0, offset++, "203.0.113.0",
        "UA");
    return new WarehouseBatch("warehouse", events, List.of(q), Map.of(0, offset));
  }

  private static List<Map<String, Object>> withoutId(List<Map<String, Object>> rows) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      Map<String, Object> copy = new LinkedHashMap<>(row);
      copy.remove("id");
      out.add(copy);
    }
    return out;
  }

  @Test
  void readsGiveExactlyWhatDuckDbGivesForTheSameBatch() throws Exception {
    WarehouseBatch batch = richBatch();
    try (DuckDbWarehouse duck = DuckDbWarehouse.open(dir.resolve("w.duckdb"), new SimpleMeterRegistry())) {
      assertThat(warehouse.write(batch)).isEqualTo(duck.write(batch));

      assertThat(warehouse.recentEvents(100, null, null)).isEqualTo(duck.recentEvents(100, null, null))
          .hasSize(6);
      assertThat(warehouse.recentEvents(100, "page", null)).isEqualTo(duck.recentEvents(100, "page", null));
      assertThat(withoutId(warehouse.recentQuarantine(10))).isEqualTo(withoutId(duck.recentQuarantine(10)))
          .hasSize(1);

      List<SessionSnapshot> sessions = warehouse.recentSessions(Duration.ofDays(1));
      assertThat(sessions).hasSize(3) // v-1, v-2, and the hostile event's visitor
          .containsExactlyInAnyOrderElementsOf(duck.recentSessions(Duration.ofDays(1)));
      assertThat(sessions).anySatisfy(x -> assertThat(x.clickIds()).isNotEmpty());
      assertThat(warehouse.recentSessions(Duration.ofMinutes(90)))
          .containsExactlyInAnyOrderElementsOf(duck.recentSessions(Duration.ofMinutes(90)));
      for (int limit : new int[] {1, 2, 10}) {
        List<String> pg = new ArrayList<>();
        List<String> dk = new ArrayList<>();
        warehouse.sessionCounts(Duration.ofHours(2), limit, (v, n) -> pg.add(v + "=" + n));
        duck.sessionCounts(Duration.ofHours(2), limit, (v, n) -> dk.add(v + "=" + n));
        assertThat(pg).isEqualTo(dk).isNotEmpty();
      }

      DeletionResult pgDeletion = warehouse.deletePerson(null, "v-1", "admin");
      DeletionResult duckDeletion = duck.deletePerson(null, "v-1", "admin");
      assertThat(pgDeletion.events()).isEqualTo(duckDeletion.events()).isEqualTo(3);
      Map<String, Object> pgAudit = new LinkedHashMap<>(warehouse.privacyAudit(1).get(0));
      Map<String, Object> duckAudit = new LinkedHashMap<>(duck.privacyAudit(1).get(0));
      pgAudit.remove("requested_at");
      duckAudit.remove("requested_at");
      assertThat(pgAudit).isEqualTo(duckAudit);
    }
  }

  @Test
  void nodesRacingToCreateADaysPartitionAllWrite() throws Exception {
    int nodes = 4;
    List<Warehouse> others = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      for (int n = 0; n < nodes; n++) {
        others.add(fixture.open(new SimpleMeterRegistry(), 100));
      }
      CyclicBarrier start = new CyclicBarrier(nodes);
      long day = Instant.parse("2030-01-01T12:00:00Z").toEpochMilli();
      List<Future<WriteResult>> writes = new ArrayList<>();
      for (int n = 0; n < nodes; n++) {
        Warehouse node = others.get(n);
        LoggedEvent event = logged(received("web", TestEvents.track("race-" + n, "a"), day + n), n, 0);
        writes.add(pool.submit(() -> {
          start.await();
          return node.write(batch(List.of(event), Map.of(event.logPartition(), 1L)));
        }));
      }
      for (Future<WriteResult> write : writes) {
        assertThat(write.get(60, TimeUnit.SECONDS).written()).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
      others.forEach(Warehouse::close);
    }
    assertThat(new HashSet<>(Sql.rows(warehouse, "SELECT DISTINCT tableoid::regclass::text AS p FROM events")))
        .containsExactly(Map.of("p", "events_20300101"));
    assertThat(warehouse.countEvents()).isEqualTo(nodes);
  }

  @Test
  void connectionsTheServerDroppedAreReplacedAfterOneFailure() throws Exception {
    warehouse.write(batch(List.of(logged("m-1", 0, 0)), Map.of(0, 1L)));
    try (java.sql.Connection admin = warehouse.newConnection(); java.sql.Statement s = admin.createStatement()) {
      s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
          + " WHERE datname = current_database() AND pid <> pg_backend_pid()");
    }
    // The first use of each dropped connection fails (the caller retries, as after any failure) ...
    try {
      warehouse.countEvents();
    } catch (SQLException expected) {
      // the read connection was one of them
    }
    try {
      warehouse.write(batch(List.of(logged("m-2", 0, 1)), Map.of(0, 2L)));
    } catch (SQLException expected) {
      // so was the pooled write session
    }
    // ... and the next one works.
    warehouse.write(batch(List.of(logged("m-2", 0, 1)), Map.of(0, 2L)));
    assertThat(warehouse.countEvents()).isEqualTo(2);
    assertThat(warehouse.positions("warehouse")).containsExactly(Map.entry(0, 2L));
    assertThat(warehouse.check()).isNull();
  }
}
