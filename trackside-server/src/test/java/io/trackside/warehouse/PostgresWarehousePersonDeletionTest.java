package io.trackside.warehouse;

import static io.trackside.warehouse.IdentitiesContract.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The shared {@link PersonDeletionContract} on PostgreSQL, with the mirrors' record and a second node. */
class PostgresWarehousePersonDeletionTest extends PersonDeletionContract {

  @Override
  protected WarehouseFixture newFixture() throws SQLException {
    return WarehouseFixture.postgres();
  }

  @Test
  void everyDeletedRowIsRecordedForTheMirrorsByTheKeyThatMatchedIt() throws Exception {
    twoPeople();
    // u-1's rows: by userId, by the phone's anonymousId, and the Java text of an unstorable event
    List<String> quarantineIds = column("SELECT id FROM quarantine WHERE reason <> 'undecodable'"
        + " AND payload NOT LIKE '%u-9%' ORDER BY id");
    warehouse.deletePerson("u-1", null, "admin");

    List<String> expected = new ArrayList<>(List.of(
        "events/user_id/u-1", "events/anonymous_id/laptop", "events/anonymous_id/phone",
        "events/previous_id/crm-881", "events/user_id/crm-881",
        "identities/user_id/u-1", "identities/anonymous_id/laptop", "identities/anonymous_id/phone",
        "identities/anonymous_id/crm-881"));
    quarantineIds.forEach(id -> expected.add("quarantine/id/" + id));
    assertThat(quarantineIds).hasSize(3);
    assertThat(column("SELECT table_name || '/' || key_column || '/' || key_value FROM mirror_deletes"))
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(column("SELECT count(DISTINCT written_xid) FROM mirror_deletes")).containsExactly("1");
  }

  /**
   * Two nodes on one database: one writes the person's events in a stream of batches (its
   * pipeline never learns of the deletion) while the other deletes the person. Whatever the
   * interleaving, nothing of the person survives, and the first node's later batches leave the
   * person's events out.
   */
  @Test
  void aDeletionOnAnotherNodeLeavesNoneOfThePersonsEventsBehind() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    AtomicBoolean deleted = new AtomicBoolean();
    try (Warehouse otherNode = fixture.open(new SimpleMeterRegistry(), 1000)) {
      Future<Integer> stream = pool.submit(() -> {
        int suppressed = 0;
        for (int b = 0; b < 200 && !(deleted.get() && suppressed > 0); b++) {
          List<LoggedEvent> events = new ArrayList<>();
          for (int i = 0; i < 20; i++) {
            long offset = b * 20L + i;
            String json = i % 5 == 0
                ? event("identify", "device-" + (offset % 3), "u-gone", "2025-06-02T10:00:00Z", "")
                : event("track", i % 2 == 0 ? "device-" + (offset % 3) : null, i % 2 == 0 ? null : "u-gone",
                "2025-06-02T10:00:00Z", ",\"event\":\"Clicked\"");
            events.add(TestEvents.logged(TestEvents.received("web", json, TestEvents.RECEIVED_AT), 0, offset));
          }
          events.add(TestEvents.logged("bystander-" + b, 0, 100_000 + b));
          suppressed += otherNode.write(new WarehouseBatch("warehouse", events, List.of(),
              Map.of(0, (b + 1) * 20L))).suppressed();
        }
        return suppressed;
      });
      while (warehouse.countEvents() < 200) {
        Thread.sleep(5);
      }
      DeletionResult result = warehouse.deletePerson("u-gone", null, "admin");
      deleted.set(true);
      int suppressedAfter = stream.get(120, TimeUnit.SECONDS);

      assertThat(result.anonymousIds()).containsExactlyInAnyOrder("device-0", "device-1", "device-2");
      assertThat(result.events()).isPositive();
      assertThat(Sql.count(warehouse, "SELECT count(*) FROM events WHERE user_id = 'u-gone'"
          + " OR anonymous_id LIKE 'device-%'")).isZero();
      assertThat(Sql.count(warehouse, "SELECT count(*) FROM identities")).isZero();
      assertThat(Sql.count(warehouse, "SELECT count(*) FROM events WHERE message_id LIKE 'bystander-%'"))
          .isEqualTo(Sql.count(warehouse, "SELECT count(*) FROM events"));
      assertThat(suppressedAfter).as("the writing node filtered later batches").isPositive();
      assertThat(otherNode.suppressions().contains("device-1")).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }
}
