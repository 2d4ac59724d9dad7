package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Identity links written with the events, on every {@link Warehouse}; {@link IdentitiesTest} adds
 * the DuckDB view that puts one person together across devices.
 */
abstract class IdentitiesContract {

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
  private final AtomicLong offset = new AtomicLong();

  static String event(String type, String anonymousId, String userId, String at, String extra) {
    return "{\"type\":\"" + type + "\",\"messageId\":\"" + UUID.randomUUID() + "\""
        + (anonymousId == null ? "" : ",\"anonymousId\":\"" + anonymousId + "\"")
        + (userId == null ? "" : ",\"userId\":\"" + userId + "\"")
        + ",\"timestamp\":\"" + at + "\"" + extra + "}";
  }

  static String page(String anonymousId, String at) {
    return event("page", anonymousId, null, at, ",\"context\":{\"page\":{\"url\":\"https://shop.example/\"}}");
  }

  protected void write(String source, String... jsons) throws Exception {
    List<LoggedEvent> events = new ArrayList<>();
    for (String json : jsons) {
      long o = offset.getAndIncrement();
      events.add(TestEvents.logged(TestEvents.received(source, json, TestEvents.RECEIVED_AT + o), 0, o));
    }
    warehouse.write(new WarehouseBatch("warehouse", events, List.of(), Map.of(0, offset.get())));
  }

  /** Laptop and phone of user-17, and someone else. */
  protected void laptopAndPhone() throws Exception {
    // Laptop: browses anonymously, then logs in; later the phone logs in too; the shop's server
    // sends the order with the user id only.
    write("web",
        page("laptop-anon", "2025-06-02T10:00:00Z"),
        page("laptop-anon", "2025-06-02T10:01:00Z"));
    write("web",
        event("identify", "laptop-anon", "user-17", "2025-06-02T10:02:00Z", ",\"traits\":{\"plan\":\"pro\"}"),
        page("laptop-anon", "2025-06-02T10:03:00Z"),
        page("phone-anon", "2025-06-02T18:00:00Z"),
        event("identify", "phone-anon", "user-17", "2025-06-02T18:01:00Z", ""));
    write("server",
        event("track", null, "user-17", "2025-06-02T18:05:00Z", ",\"event\":\"Order Completed\""),
        page("someone-else", "2025-06-02T18:06:00Z"));
  }

  @Test
  void anIdentifyLinksTheAnonymousIdsOfEveryDeviceToTheUser() throws Exception {
    laptopAndPhone();

    // The log is not rewritten: the anonymous events still say what was sent.
    assertThat(Sql.count(warehouse, "SELECT count(*) FROM events WHERE user_id IS NULL AND anonymous_id = 'laptop-anon'"))
        .isEqualTo(3);
    assertThat(Sql.rows(warehouse, "SELECT anonymous_id, user_id, source, CAST(first_seen AS VARCHAR) AS first_seen"
        + " FROM identities ORDER BY anonymous_id")).containsExactly(
        Map.of("anonymous_id", "laptop-anon", "user_id", "user-17", "source", "web", "first_seen", "2025-06-02 10:02:00"),
        Map.of("anonymous_id", "phone-anon", "user_id", "user-17", "source", "web", "first_seen", "2025-06-02 18:01:00"));
  }

  /** A family computer: alice, then bob. */
  protected void sharedDevice() throws Exception {
    write("web",
        event("identify", "family-pc", "alice", "2025-06-02T10:00:00Z", ""),
        event("identify", "family-pc", "alice", "2025-06-02T09:00:00Z", ""),
        event("track", "family-pc", "alice", "2025-06-02T10:30:00Z", ",\"event\":\"Product Viewed\""));
    write("web",
        event("identify", "family-pc", "alice", "2025-06-03T08:00:00Z", ""),
        event("identify", "family-pc", "bob", "2025-06-03T20:00:00Z", ""),
        page("family-pc", "2025-06-03T21:00:00Z"));
  }

  @Test
  void aLinkSeenAgainWidensItsTimes() throws Exception {
    sharedDevice();
    assertThat(Sql.rows(warehouse, "SELECT user_id, CAST(first_seen AS VARCHAR) AS f, CAST(last_seen AS VARCHAR) AS l"
        + " FROM identities ORDER BY user_id")).containsExactly(
        Map.of("user_id", "alice", "f", "2025-06-02 09:00:00", "l", "2025-06-03 08:00:00"),
        Map.of("user_id", "bob", "f", "2025-06-03 20:00:00", "l", "2025-06-03 20:00:00"));
  }

  /** legacy-42 renamed to acct-7f3a. */
  protected void renamedUser() throws Exception {
    write("web",
        page("anon-9", "2025-06-02T10:00:00Z"),
        event("identify", "anon-9", "legacy-42", "2025-06-02T10:01:00Z", ""),
        event("track", null, "legacy-42", "2025-06-02T10:02:00Z", ",\"event\":\"Signed Up\""));
    write("server", event("alias", null, "acct-7f3a", "2025-06-03T09:00:00Z", ",\"previousId\":\"legacy-42\""),
        event("track", null, "acct-7f3a", "2025-06-03T09:01:00Z", ",\"event\":\"Order Completed\""));
  }

  @Test
  void anAliasLinksTheOldNameAsAnAnonymousIdOfTheNewOne() throws Exception {
    renamedUser();
    assertThat(Sql.rows(warehouse, "SELECT anonymous_id, user_id FROM identities ORDER BY anonymous_id"))
        .containsExactly(Map.of("anonymous_id", "anon-9", "user_id", "legacy-42"),
            Map.of("anonymous_id", "legacy-42", "user_id", "acct-7f3a"));
  }

  @Test
  void concurrentWritersLinkingTheSameIdsDoNotFailEachOther() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        int worker = w;
        writers.add(pool.submit(() -> {
          for (int b = 0; b < 15; b++) {
            List<LoggedEvent> events = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
              String json = event("identify", "anon-" + i, "user-" + (i % 7), Instant.parse("2025-06-02T10:00:00Z")
                  .plusSeconds(b * 60L + worker).toString(), "");
              events.add(TestEvents.logged(TestEvents.received("web", json, TestEvents.RECEIVED_AT), worker, b * 40L + i));
            }
            warehouse.write(new WarehouseBatch("warehouse", events, List.of(), Map.of(worker, (b + 1) * 40L)));
          }
          return null;
        }));
      }
      for (Future<?> writer : writers) {
        writer.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(Sql.count(warehouse, "SELECT count(*) FROM events")).isEqualTo(3 * 15 * 40);
    assertThat(Sql.count(warehouse, "SELECT count(*) FROM identities")).isEqualTo(40);
    assertThat(Sql.value(warehouse, "SELECT CAST(max(last_seen) AS VARCHAR) FROM identities")).isEqualTo("2025-06-02 10:14:02");
  }
}
