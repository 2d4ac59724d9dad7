package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared {@link IdentitiesContract} on DuckDB, and one person across devices in its events_people view. */
class IdentitiesTest extends IdentitiesContract {

  @TempDir
  Path dir;

  @Override
  protected WarehouseFixture newFixture() {
    return WarehouseFixture.duckDb(dir.resolve("warehouse.duckdb"));
  }

  private Map<String, Long> eventsByPerson() throws Exception {
    Map<String, Long> byPerson = new java.util.TreeMap<>();
    for (Map<String, Object> row : Sql.rows(warehouse,
        "SELECT person_id, count(*) AS n FROM events_people GROUP BY person_id")) {
      byPerson.put((String) row.get("person_id"), ((Number) row.get("n")).longValue());
    }
    return byPerson;
  }

  @Test
  void anIdentifyAttributesTheAnonymousVisitBeforeItAndTheOtherDevicesToOnePerson() throws Exception {
    laptopAndPhone();
    assertThat(eventsByPerson()).containsExactlyInAnyOrderEntriesOf(Map.of("user-17", 7L, "someone-else", 1L));
  }

  @Test
  void theFirstUserOfASharedDeviceKeepsItsAnonymousPast() throws Exception {
    sharedDevice();
    // Bob's identify says bob; the anonymous page view goes to the first user linked to the device.
    assertThat(eventsByPerson()).containsExactlyInAnyOrderEntriesOf(Map.of("alice", 5L, "bob", 1L));
  }

  @Test
  void anAliasRenamesAUserAndTheAnonymousIdsLinkedToTheOldName() throws Exception {
    renamedUser();
    assertThat(eventsByPerson()).containsExactlyInAnyOrderEntriesOf(Map.of("acct-7f3a", 5L));
  }
}
