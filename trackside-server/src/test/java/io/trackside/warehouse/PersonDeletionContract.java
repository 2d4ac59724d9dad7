package io.trackside.warehouse;

import static io.trackside.warehouse.IdentitiesContract.event;
import static io.trackside.warehouse.IdentitiesContract.page;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Erasing a person, on every {@link Warehouse}. */
abstract class PersonDeletionContract {

  protected Warehouse warehouse;
  protected WarehouseFixture fixture;

  /** A fixture for a new, empty database. */
  protected abstract WarehouseFixture newFixture() throws Exception;

  @BeforeEach
  void open() throws Exception {
    fixture = newFixture();
    warehouse = fixture.open(new SimpleMeterRegistry(), DuckDbWarehouse.DEFAULT_RECENT_IDS);
  }

  @AfterEach
  void close() throws Exception {
    warehouse.close();
    fixture.close();
  }
  private long offset;

  protected WriteResult write(List<String> jsons, List<QuarantinedRecord> quarantined) throws Exception {
    List<LoggedEvent> events = new ArrayList<>();
    for (String json : jsons) {
      events.add(TestEvents.logged(TestEvents.received("web", json, TestEvents.RECEIVED_AT), 0, offset++));
    }
    return warehouse.write(new WarehouseBatch("warehouse", events, quarantined, Map.of(0, offset)));
  }

  private QuarantinedRecord quarantined(String reason, String payload) {
    return new QuarantinedRecord(Instant.ofEpochMilli(TestEvents.RECEIVED_AT), "web", reason, "test", null,
        payload.getBytes(StandardCharsets.UTF_8), 0, offset++);
  }

  protected List<String> column(String sql) throws Exception {
    return Sql.rows(warehouse, sql).stream().map(r -> String.valueOf(r.values().iterator().next())).toList();
  }

  /** One person on a laptop and a phone, renamed once, plus someone else. */
  protected void twoPeople() throws Exception {
    write(List.of(
        page("laptop", "2025-06-02T10:00:00Z"),
        event("identify", "laptop", "u-1", "2025-06-02T10:01:00Z", ",\"traits\":{\"email\":\"jo@example.com\"}"),
        event("identify", "phone", "u-1", "2025-06-02T18:00:00Z", ""),
        page("phone", "2025-06-02T18:01:00Z"),
        event("alias", null, "u-1", "2025-06-02T18:02:00Z", ",\"previousId\":\"crm-881\""),
        event("track", null, "crm-881", "2025-06-01T09:00:00Z", ",\"event\":\"Trial Started\""),
        event("track", null, "u-1", "2025-06-02T18:05:00Z", ",\"event\":\"Order Completed\""),
        page("other-anon", "2025-06-02T11:00:00Z"),
        event("identify", "other-anon", "u-9", "2025-06-02T11:01:00Z", "")),
        List.of(
            quarantined("missing_event", "{\"type\":\"track\",\"userId\":\"u-1\"}"),
            quarantined("invalid_timestamp", "{\"type\":\"page\",\"anonymousId\":\"phone\",\"timestamp\":\"yesterday\"}"),
            quarantined("unstorable", "Event[source=web, messageId=m-7, type=track, event=Big, name=null, userId=u-1,"
                + " anonymousId=null, groupId=null]"),
            quarantined("missing_event", "{\"type\":\"track\",\"userId\":\"u-9\"}"),
            quarantined("undecodable", "\u0000\u0001 not json, mentions u-1 in passing")));
  }

  @Test
  void erasingAUserTakesTheirEventsQuarantineAndLinksOnEveryLinkedId() throws Exception {
    twoPeople();
    DeletionResult result = warehouse.deletePerson("u-1", null, "admin");

    assertThat(result.userIds()).containsExactly("u-1");
    assertThat(result.anonymousIds()).containsExactlyInAnyOrder("laptop", "phone", "crm-881");
    assertThat(result.events()).isEqualTo(7);
    assertThat(result.quarantine()).isEqualTo(3);
    assertThat(result.identities()).isEqualTo(3);
    assertThat(column("SELECT DISTINCT coalesce(user_id, anonymous_id) FROM events ORDER BY 1"))
        .containsExactly("other-anon", "u-9");
    assertThat(column("SELECT reason FROM quarantine ORDER BY reason")).containsExactly("missing_event", "undecodable");
    assertThat(column("SELECT user_id FROM identities")).containsExactly("u-9");
    assertThat(column("SELECT id || '/' || kind FROM suppressions ORDER BY id")).containsExactly(
        "crm-881/anonymous_id", "laptop/anonymous_id", "phone/anonymous_id", "u-1/user_id");
    assertThat(warehouse.suppressions().contains("phone")).isTrue();

    Map<String, Object> audit = warehouse.privacyAudit(10).get(0);
    assertThat(audit).containsEntry("id", result.auditId()).containsEntry("actor", "admin")
        .containsEntry("action", "delete").containsEntry("request", "{\"userId\":\"u-1\"}")
        .containsEntry("events_deleted", 7L).containsEntry("quarantine_deleted", 3L)
        .containsEntry("identities_deleted", 3L);
    assertThat(audit.get("anonymous_ids").toString()).contains("laptop", "phone", "crm-881");

    // Asking again deletes nothing more, and is audited again.
    DeletionResult again = warehouse.deletePerson("u-1", null, "admin");
    assertThat(again.events() + again.quarantine() + again.identities()).isZero();
    assertThat(again.anonymousIds()).isEmpty(); // the links are gone; the ids stay suppressed
    assertThat(warehouse.privacyAudit(10)).hasSize(2);

    // The suppression list survives a restart.
    warehouse.close();
    warehouse = fixture.open(new SimpleMeterRegistry(), DuckDbWarehouse.DEFAULT_RECENT_IDS);
    assertThat(warehouse.suppressions().contains("laptop")).isTrue();
    assertThat(warehouse.suppressions().contains("u-9")).isFalse();
  }

  @Test
  void erasingAnAnonymousIdLeavesTheUserItWasLinkedTo() throws Exception {
    twoPeople();
    DeletionResult result = warehouse.deletePerson(null, "laptop", "admin");
    assertThat(result.userIds()).isEmpty();
    assertThat(result.anonymousIds()).containsExactly("laptop");
    assertThat(result.events()).isEqualTo(2);
    assertThat(result.identities()).isEqualTo(1);
    assertThat(Sql.count(warehouse, "SELECT count(*) FROM events WHERE user_id = 'u-1'")).isEqualTo(3);
    assertThat(column("SELECT anonymous_id FROM identities WHERE user_id = 'u-1' ORDER BY 1"))
        .containsExactly("crm-881", "phone");
  }

  @Test
  void aBatchThatPassedThePipelineBeforeTheDeletionIsFilteredWhenWritten() throws Exception {
    warehouse.deletePerson("u-1", null, "admin");
    // Processed while the deletion ran: the pipeline had not seen the suppression yet.
    WriteResult result = write(List.of(
            event("track", null, "u-1", "2025-06-02T18:05:00Z", ",\"event\":\"Order Completed\""),
            event("track", "a-x", "u-2", "2025-06-02T18:06:00Z", ",\"event\":\"Order Completed\"")),
        List.of(quarantined("missing_event", "{\"type\":\"track\",\"userId\":\"u-1\"}"),
            quarantined("missing_event", "{\"type\":\"track\",\"userId\":\"u-2\"}")));
    assertThat(result.written()).isEqualTo(1);
    assertThat(result.suppressed()).isEqualTo(1);
    assertThat(result.suppressedQuarantine()).hasSize(1);
    assertThat(result.quarantined()).isEqualTo(1);
    assertThat(column("SELECT user_id FROM events")).containsExactly("u-2");
    assertThat(column("SELECT payload FROM quarantine")).containsExactly("{\"type\":\"track\",\"userId\":\"u-2\"}");
  }
  @Test
  void aDeletionWaitsForAWriteInFlightAndThenDeletesWhatItCommitted() throws Exception {
    java.util.concurrent.CountDownLatch inWrite = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch resume = new java.util.concurrent.CountDownLatch(1);
    fixture.rowHook(warehouse, row -> {
      if (row == 0) {
        inWrite.countDown();
        try {
          resume.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      // Checked against the (still empty) suppression list, then stalled before its commit.
      java.util.concurrent.Future<WriteResult> write = pool.submit(() -> write(List.of(
          event("track", null, "u-1", "2025-06-02T18:05:00Z", ",\"event\":\"Order Completed\""),
          event("identify", "laptop", "u-1", "2025-06-02T18:06:00Z", "")), List.of()));
      inWrite.await();
      java.util.concurrent.Future<DeletionResult> deletion = pool.submit(() -> warehouse.deletePerson("u-1", null, "admin"));
      Thread.sleep(300);
      assertThat(deletion.isDone()).as("the deletion waits for the write in flight").isFalse();
      assertThat(warehouse.suppressions().contains("u-1")).as("but suppresses at once").isTrue();
      resume.countDown();
      assertThat(write.get().written()).isEqualTo(2);
      DeletionResult result = deletion.get();
      assertThat(result.events()).isEqualTo(2);
      assertThat(Sql.count(warehouse, "SELECT count(*) FROM events")).isZero();
      assertThat(Sql.count(warehouse, "SELECT count(*) FROM identities")).isZero();
    } finally {
      fixture.rowHook(warehouse, null);
      pool.shutdownNow();
    }
  }
}
