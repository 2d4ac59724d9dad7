package io.trackside.warehouse;

import static io.trackside.warehouse.TestEvents.RECEIVED_AT;
import static io.trackside.warehouse.TestEvents.logged;
import static io.trackside.warehouse.TestEvents.received;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.Event;
import io.trackside.core.ReceivedEvent;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link Warehouse} must do, whatever database holds it: each implementation's test
 * extends this class and says how to open one ({@link WarehouseFixture}).
 */
abstract class WarehouseContract {

  static final int RECENT_IDS = DuckDbWarehouse.DEFAULT_RECENT_IDS;

  protected SimpleMeterRegistry registry;
  protected Warehouse warehouse;
  protected WarehouseFixture fixture;

  /** A fixture for a new, empty database. */
  protected abstract WarehouseFixture newFixture() throws Exception;

  @BeforeEach
  void open() throws Exception {
    fixture = newFixture();
    registry = new SimpleMeterRegistry();
    warehouse = fixture.open(registry, RECENT_IDS);
  }

  @AfterEach
  void close() throws Exception {
    warehouse.close();
    fixture.close();
  }

  protected Warehouse reopen(int recentIds) {
    warehouse.close();
    warehouse = fixture.open(registry, recentIds);
    return warehouse;
  }

  private static WarehouseBatch batch(List<LoggedEvent> events, Map<Integer, Long> positions) {
    return new WarehouseBatch("warehouse", events, List.of(), positions);
  }

  @Test
  void storesEveryColumnAndReadsItBack() throws SQLException {
    ReceivedEvent received = new ReceivedEvent(RECEIVED_AT, "web", "203.0.113.77", "UA-request", null, null, """
        {"type":"page","name":"Blue shoes","messageId":"m-all","userId":42,"anonymousId":"a-1",
         "groupId":"g-1","previousId":"p-0",
         "timestamp":"2024-05-01T11:00:01Z","sentAt":"2024-05-01T11:00:03Z",
         "context":{"ip":"198.51.100.23","userAgent":"UA-context","locale":"de-DE",
           "page":{"url":"https://shop.example/p/blue?utm_source=url-src&utm_term=shoes",
                   "referrer":"https://google.com/","title":"Blue","search":"?utm_source=url-src&utm_term=shoes"},
           "campaign":{"source":"ctx-src","medium":"email","name":"spring"},
           "library":{"name":"analytics.js","version":"5.2.0"}},
         "properties":{"price":89.9,"tags":["a","b"]},"traits":{"plan":"pro"},
         "integrations":{"All":false,"GA4":true}}
        """.getBytes(StandardCharsets.UTF_8));

    WriteResult result = warehouse.write(batch(List.of(logged(received, 3, 17)), Map.of(3, 18L)));

    assertThat(result).isEqualTo(new WriteResult(1, 0, 0));
    Map<String, Object> row = warehouse.recentEvents(10, null, null).get(0);
    assertThat(row.keySet()).containsExactlyElementsOf(Schema.EVENTS.stream().map(Schema.Column::name).toList());
    assertThat(row).containsEntry("message_id", "m-all")
        .containsEntry("source", "web")
        .containsEntry("type", "page")
        .containsEntry("event", null)
        .containsEntry("name", "Blue shoes")
        .containsEntry("user_id", "42")
        .containsEntry("anonymous_id", "a-1")
        .containsEntry("group_id", "g-1")
        .containsEntry("previous_id", "p-0")
        // the client clock is 1 h fast; it sent 2 s after the event, which arrived at 10:00:05
        .containsEntry("timestamp", "2024-05-01T10:00:03Z")
        .containsEntry("original_timestamp", "2024-05-01T11:00:01Z")
        .containsEntry("sent_at", "2024-05-01T11:00:03Z")
        .containsEntry("received_at", "2024-05-01T10:00:05Z")
        .containsEntry("page_url", "https://shop.example/p/blue?utm_source=url-src&utm_term=shoes")
        .containsEntry("page_path", "/p/blue")
        .containsEntry("page_referrer", "https://google.com/")
        .containsEntry("page_title", "Blue")
        .containsEntry("page_search", "?utm_source=url-src&utm_term=shoes")
        .containsEntry("utm_source", "ctx-src") // context.campaign wins over the URL
        .containsEntry("utm_medium", "email")
        .containsEntry("utm_campaign", "spring")
        .containsEntry("utm_term", "shoes") // not in context.campaign: from the URL
        .containsEntry("utm_content", null)
        .containsEntry("user_agent", "UA-context")
        .containsEntry("locale", "de-DE")
        .containsEntry("ip", "198.51.100.0")
        .containsEntry("library_name", "analytics.js")
        .containsEntry("library_version", "5.2.0")
        .containsEntry("log_partition", 3)
        .containsEntry("log_offset", 17L);
    assertThat(((JsonNode) row.get("properties")).get("price").asDouble()).isEqualTo(89.9);
    assertThat(((JsonNode) row.get("properties")).get("tags").size()).isEqualTo(2);
    assertThat(((JsonNode) row.get("traits")).get("plan").asText()).isEqualTo("pro");
    assertThat(((JsonNode) row.get("integrations")).get("GA4").asBoolean()).isTrue();
    JsonNode context = (JsonNode) row.get("context");
    assertThat(context.get("ip").asText()).isEqualTo("198.51.100.0"); // never the raw address
    assertThat(context.get("locale").asText()).isEqualTo("de-DE");
    assertThat(warehouse.positions("warehouse")).containsExactly(Map.entry(3, 18L));
    assertThat(warehouse.countEvents()).isEqualTo(1);
  }

  @Test
  void fallsBackToTheRequestAndTheUrl() throws SQLException {
    ReceivedEvent received = new ReceivedEvent(RECEIVED_AT, "web", "2001:db8:85a3:8d3:1319:8a2e:370:7348",
        "UA-request", null, null, """
        {"type":"track","event":"Signed Up","messageId":"m-2","anonymousId":"a-2",
         "context":{"page":{"url":"https://shop.example/join?utm_source=news%20letter&utm_campaign=spring"}}}
        """.getBytes(StandardCharsets.UTF_8));

    warehouse.write(batch(List.of(logged(received, 0, 0)), Map.of(0, 1L)));

    Map<String, Object> row = warehouse.recentEvents(1, "track", "Signed Up").get(0);
    assertThat(row).containsEntry("user_agent", "UA-request")
        .containsEntry("ip", "2001:db8:85a3::")
        .containsEntry("page_path", "/join")
        .containsEntry("utm_source", "news letter")
        .containsEntry("utm_campaign", "spring")
        .containsEntry("utm_medium", null)
        // no timestamp sent: it happened when it was received
        .containsEntry("timestamp", "2024-05-01T10:00:05Z")
        .containsEntry("original_timestamp", null)
        .containsEntry("sent_at", null);
    assertThat(((JsonNode) row.get("context")).has("ip")).isFalse();
  }

  @Test
  void theSameMessageIdIsStoredOnceInABatchAcrossBatchesAndAfterReopening() throws SQLException {
    WriteResult first = warehouse.write(batch(
        List.of(logged("m-1", 0, 0), logged("m-2", 0, 1), logged("m-1", 0, 2)), Map.of(0, 3L)));
    WriteResult second = warehouse.write(batch(List.of(logged("m-2", 1, 0), logged("m-3", 1, 1)), Map.of(1, 2L)));
    reopen(RECENT_IDS);
    WriteResult third = warehouse.write(batch(List.of(logged("m-1", 0, 3), logged("m-4", 0, 4)), Map.of(0, 5L)));

    assertThat(first).isEqualTo(new WriteResult(2, 1, 0));
    assertThat(second).isEqualTo(new WriteResult(1, 1, 0));
    assertThat(third).isEqualTo(new WriteResult(1, 1, 0));
    assertThat(warehouse.recentEvents(100, null, null)).extracting(r -> r.get("message_id"))
        .containsExactlyInAnyOrder("m-1", "m-2", "m-3", "m-4");
    assertThat(registry.counter("trackside.warehouse.duplicates").count()).isEqualTo(3);
    assertThat(warehouse.positions("warehouse")).containsOnly(Map.entry(0, 5L), Map.entry(1, 2L));
  }

  @Test
  void theSameMessageIdFromAnotherSourceIsAnotherEvent() throws SQLException {
    LoggedEvent web = logged(received("web", TestEvents.track("m-1", "a"), RECEIVED_AT), 0, 0);
    LoggedEvent app = logged(received("app", TestEvents.track("m-1", "a"), RECEIVED_AT), 0, 1);

    assertThat(warehouse.write(batch(List.of(web, app), Map.of(0, 2L))).written()).isEqualTo(2);
  }

  @Test
  void theWindowIsBoundedAndReloadsTheNewestIds() throws SQLException {
    reopen(2);
    warehouse.write(batch(List.of(logged("m-1", 0, 0), logged("m-2", 0, 1), logged("m-3", 0, 2)), Map.of(0, 3L)));
    reopen(2); // reloads m-2 and m-3, the newest two

    WriteResult result = warehouse.write(batch(
        List.of(logged("m-3", 0, 3), logged("m-2", 0, 4), logged("m-1", 0, 5)), Map.of(0, 6L)));

    assertThat(result.duplicates()).isEqualTo(2);
    assertThat(result.written()).isEqualTo(1); // m-1 had left the window: a known, bounded limit
  }

  @Test
  void quarantineRowsKeepTheReasonAndThePayload() throws SQLException {
    byte[] invalidUtf8 = {'{', '"', 'a', '"', ':', (byte) 0xff, 0, '}'};
    QuarantinedRecord q1 = new QuarantinedRecord(Instant.parse("2024-05-01T10:00:05Z"), "web", "invalid_json",
        "Unexpected character at 1:6", "m-q", invalidUtf8, 2, 40);
    QuarantinedRecord q2 = new QuarantinedRecord(Instant.parse("2024-05-01T10:00:06Z"), null, "undecodable",
        null, null, null, 2, 41);

    WriteResult result = warehouse.write(new WarehouseBatch("warehouse", List.of(logged("m-ok", 2, 42)),
        List.of(q1, q2), Map.of(2, 43L)));

    assertThat(result).isEqualTo(new WriteResult(1, 0, 2));
    List<Map<String, Object>> rows = warehouse.recentQuarantine(10);
    assertThat(rows).hasSize(2);
    assertThat(rows.get(1)).containsEntry("received_at", "2024-05-01T10:00:05Z")
        .containsEntry("source", "web")
        .containsEntry("reason", "invalid_json")
        .containsEntry("detail", "Unexpected character at 1:6")
        .containsEntry("message_id", "m-q")
        .containsEntry("payload", "{\"a\":\uFFFD" + fixture.storedNul() + "}")
        .containsEntry("log_partition", 2)
        .containsEntry("log_offset", 40L);
    assertThat(rows.get(0)).containsEntry("reason", "undecodable").containsEntry("payload", null);
    assertThat(warehouse.countEvents()).isEqualTo(1);
  }

  @Test
  void anEventTheTableCannotHoldIsQuarantinedNotRetriedForever() throws SQLException {
    Event good = logged("m-ok", 0, 0).event();
    Event farFuture = new Event("web", "m-far", "track", "x", null, null, "a", null, null,
        Instant.parse("+300000-01-01T00:00:00Z"), null, null, Instant.parse("2024-05-01T10:00:05Z"),
        null, null, good.context(), good.properties(), good.traits(), good.integrations());

    WriteResult result = warehouse.write(batch(
        List.of(logged(good, 0, 0), logged(farFuture, 0, 1)), Map.of(0, 2L)));

    assertThat(result).isEqualTo(new WriteResult(1, 0, 1));
    assertThat(warehouse.recentQuarantine(10)).singleElement().satisfies(q -> assertThat(q)
        .containsEntry("reason", "unstorable")
        .containsEntry("message_id", "m-far")
        .containsEntry("log_offset", 1L));
    assertThat(registry.counter("trackside.warehouse.quarantined", "reason", "unstorable").count()).isEqualTo(1);
    assertThat(warehouse.positions("warehouse")).containsExactly(Map.entry(0, 2L));
  }

  /**
   * Fails after 3 rows (all still buffered in the Appender) and after 4001 rows (some already
   * handed to DuckDB, which takes them in chunks of 2048); on PostgreSQL both in the middle of
   * the COPY.
   */
  @ParameterizedTest
  @ValueSource(ints = {2, 4000})
  void aWriteThatFailsHalfWayLeavesNeitherRowsNorPositions(int failAfterRow) throws SQLException {
    warehouse.write(batch(List.of(logged("m-0", 0, 0)), Map.of(0, 1L)));
    fixture.rowHook(warehouse, i -> {
      if (i == failAfterRow) {
        throw new SQLException("simulated failure mid-batch");
      }
    });
    List<LoggedEvent> events = new ArrayList<>();
    for (int i = 1; i <= 5000; i++) {
      events.add(logged("m-" + i, 0, i));
    }
    WarehouseBatch failing = new WarehouseBatch("warehouse", events,
        List.of(new QuarantinedRecord(Instant.now(), "web", "r", null, null, new byte[] {'x'}, 0, 5001)),
        Map.of(0, 5002L));

    assertThatThrownBy(() -> warehouse.write(failing)).hasMessageContaining("simulated failure");
    assertThat(warehouse.countEvents()).isEqualTo(1);
    assertThat(warehouse.recentQuarantine(10)).isEmpty();
    assertThat(warehouse.positions("warehouse")).containsExactly(Map.entry(0, 1L));
    assertThat(warehouse.check()).contains("simulated failure");

    // The retry writes everything once: nothing of the failed attempt lingers, and the ids it
    // had reserved are free again.
    fixture.rowHook(warehouse, null);
    assertThat(warehouse.write(failing)).isEqualTo(new WriteResult(5000, 0, 1));
    assertThat(warehouse.countEvents()).isEqualTo(5001);
    assertThat(warehouse.positions("warehouse")).containsExactly(Map.entry(0, 5002L));
    assertThat(warehouse.check()).isNull();
    reopen(10);
    assertThat(warehouse.countEvents()).isEqualTo(5001);
  }

  @Test
  void aWriteTheDatabaseRefusesLeavesNothingBehind() throws SQLException {
    try (java.sql.Connection admin = warehouse.newConnection(); Statement s = admin.createStatement()) {
      s.execute("ALTER TABLE log_positions RENAME TO log_positions_away");
      WarehouseBatch batch = batch(List.of(logged("m-1", 0, 0), logged("m-2", 0, 1)), Map.of(0, 2L));

      assertThatThrownBy(() -> warehouse.write(batch)).isInstanceOf(SQLException.class)
          .hasMessageContaining("log_positions");
      assertThat(warehouse.countEvents()).isZero();

      s.execute("ALTER TABLE log_positions_away RENAME TO log_positions");
      assertThat(warehouse.write(batch).written()).isEqualTo(2);
      assertThat(warehouse.countEvents()).isEqualTo(2);
    }
  }

  @Test
  void recentEventsAreNewestFirstAndFiltered() throws SQLException {
    ReceivedEvent page = received("web", "{\"type\":\"page\",\"messageId\":\"p-1\"}", RECEIVED_AT + 5);
    warehouse.write(batch(List.of(logged("t-1", 0, 0), logged("t-2", 0, 1), logged(page, 0, 2)), Map.of(0, 3L)));

    assertThat(warehouse.recentEvents(10, null, null)).extracting(r -> r.get("message_id"))
        .containsExactly("p-1", "t-2", "t-1");
    assertThat(warehouse.recentEvents(1, null, null)).extracting(r -> r.get("message_id")).containsExactly("p-1");
    assertThat(warehouse.recentEvents(10, "track", null)).hasSize(2);
    assertThat(warehouse.recentEvents(10, "track", "Product Viewed")).hasSize(2);
    assertThat(warehouse.recentEvents(10, null, "Nope")).isEmpty();
    assertThat(warehouse.recentEvents(10, "'; DROP TABLE events; --", null)).isEmpty();
    assertThat(warehouse.countEvents()).isEqualTo(3);
  }

  @Test
  void concurrentWritersAndReadersDoNotGetInEachOthersWay() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    AtomicBoolean writing = new AtomicBoolean(true);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int partition = 0; partition < 2; partition++) {
        int p = partition;
        writers.add(pool.submit(() -> {
          for (int b = 0; b < 20; b++) {
            List<LoggedEvent> events = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
              long offset = b * 500L + i;
              events.add(logged("p" + p + "-" + offset, p, offset));
            }
            warehouse.write(batch(events, Map.of(p, (b + 1) * 500L)));
          }
          return null;
        }));
      }
      Future<Long> reader = pool.submit(() -> {
        long reads = 0;
        while (writing.get()) {
          long count = warehouse.countEvents();
          assertThat(count % 500).isZero(); // only whole batches are ever visible
          warehouse.recentEvents(20, "track", null);
          reads++;
        }
        return reads;
      });
      for (Future<?> w : writers) {
        w.get(60, TimeUnit.SECONDS);
      }
      writing.set(false);
      assertThat(reader.get(10, TimeUnit.SECONDS)).isPositive();
    } finally {
      pool.shutdownNow();
    }
    assertThat(warehouse.countEvents()).isEqualTo(20_000);
    assertThat(warehouse.positions("warehouse")).containsOnly(Map.entry(0, 10_000L), Map.entry(1, 10_000L));
  }

  @Test
  void reopeningKeepsDataAndSchemaCreationIsIdempotent() throws SQLException {
    warehouse.write(batch(List.of(logged("m-1", 0, 0)), Map.of(0, 1L)));
    reopen(100);
    reopen(100);

    assertThat(warehouse.countEvents()).isEqualTo(1);
    assertThat(warehouse.positions("warehouse")).containsExactly(Map.entry(0, 1L));
    assertThat(warehouse.positions("someone-else")).isEmpty();
    assertThat(warehouse.check()).isNull();
  }

  /** Text that a COPY format or a careless escape would mangle, in a text column and in JSON. */
  static final String HOSTILE = "tab\there new\nline cr\r back\\slash \\N \\t \"double\" 'single' ,comma"
      + " emoji \uD83D\uDE00 \u00FCml\u00E4ut \u2028 end\\";

  static LoggedEvent hostileEvent(String messageId, int partition, long offset) {
    com.fasterxml.jackson.databind.node.ObjectNode json = new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode().put("type", "track").put("event", HOSTILE).put("messageId", messageId)
        .put("anonymousId", "a-" + messageId);
    json.putObject("properties").put("text", HOSTILE);
    json.putObject("context").putObject("page").put("title", HOSTILE).put("url", "https://shop.example/");
    return logged(received("web", json.toString(), RECEIVED_AT + offset), partition, offset);
  }

  @Test
  void hostileTextComesBackAsItWasSent() throws SQLException {
    warehouse.write(batch(List.of(hostileEvent("m-h", 0, 0), logged("m-after", 0, 1)), Map.of(0, 2L)));

    assertThat(warehouse.countEvents()).isEqualTo(2);
    Map<String, Object> row = warehouse.recentEvents(10, null, HOSTILE).get(0);
    assertThat(row).containsEntry("event", HOSTILE).containsEntry("page_title", HOSTILE)
        .containsEntry("message_id", "m-h");
    assertThat(((JsonNode) row.get("properties")).get("text").asText()).isEqualTo(HOSTILE);
    assertThat(Sql.value(warehouse, "SELECT event FROM events WHERE message_id = ?", "m-h")).isEqualTo(HOSTILE);
  }

  @Test
  void beforeCommitGetsTheFreshEventsAndItsFailureKeepsNothing() throws SQLException {
    warehouse.write(batch(List.of(logged("m-1", 0, 0)), Map.of(0, 1L)));
    WarehouseBatch next = batch(List.of(logged("m-1", 0, 1), logged("m-2", 0, 2), logged("m-3", 0, 3)),
        Map.of(0, 4L));

    assertThatThrownBy(() -> warehouse.write(next, fresh -> {
      throw new IllegalStateException("enriched log unavailable");
    })).hasMessageContaining("enriched log unavailable");
    assertThat(warehouse.countEvents()).isEqualTo(1);
    assertThat(warehouse.positions("warehouse")).containsExactly(Map.entry(0, 1L));

    List<String> seen = new ArrayList<>();
    WriteResult result = warehouse.write(next, fresh -> fresh.forEach(e -> seen.add(e.event().messageId())));
    assertThat(seen).containsExactly("m-2", "m-3");
    assertThat(result).isEqualTo(new WriteResult(2, 1, 0));
    assertThat(warehouse.countEvents()).isEqualTo(3);
    assertThat(warehouse.positions("warehouse")).containsExactly(Map.entry(0, 4L));
  }

  @Test
  void closeIsSafeAndCheckSaysSo() throws SQLException {
    warehouse.close();
    warehouse.close();

    assertThat(warehouse.check()).isEqualTo("warehouse is closed");
    assertThatThrownBy(() -> warehouse.write(batch(List.of(logged("m", 0, 0)), Map.of(0, 1L))))
        .isInstanceOf(SQLException.class);
  }
}
