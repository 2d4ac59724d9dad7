package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror against a real PostgreSQL: rows are written there with plain SQL as the conventions
 * of {@link PgSchema} ask (written_xid by default and on every UPDATE, every DELETE recorded in
 * mirror_deletes in its transaction), then copied into a real DuckDB file.
 */
class WarehouseMirrorTest {
  private static final Duration INTERVAL = Duration.ofSeconds(1);

  @TempDir
  Path dir;

  private PgTestDatabase db;
  private Connection pg;
  private DuckDbWarehouse local;
  private WarehouseMirror mirror;
  private SimpleMeterRegistry registry;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));

  @BeforeEach
  void open() throws Exception {
    db = PgTestDatabase.create();
    pg = db.connect();
    PgSchema.create(pg);
    try (Statement s = pg.createStatement()) {
      s.execute(PgSchema.partitionDdl(LocalDate.of(2026, 11, 28)));
      s.execute(PgSchema.partitionDdl(LocalDate.of(2026, 11, 29)));
    }
    openLocal();
  }

  private void openLocal() throws SQLException {
    registry = new SimpleMeterRegistry();
    local = DuckDbWarehouse.open(dir.resolve("mirror.duckdb"), registry);
    mirror = WarehouseMirror.manual(db.url(), local, INTERVAL, registry, clock);
  }

  private void closeLocal() {
    mirror.close();
    local.close();
  }

  @AfterEach
  void close() throws Exception {
    closeLocal();
    pg.close();
    db.close();
  }

  @Test
  void insertsQuarantineUpdatesIdentityUpsertsAndAPersonsDeletionArriveExactly() throws Exception {
    event(pg, "m1", "u1", "a1", "2026-11-29 10:00:00");
    event(pg, "m2", null, "a1", "2026-11-29 10:01:00");
    event(pg, "m3", null, "a2", "2026-11-28 23:59:59.999999");
    quarantine(pg, "q1", "invalid_json", "{not json");
    quarantine(pg, "q2", "too_large", "{}");
    identity(pg, "a1", "u1", "2026-11-29 10:00:00");
    identity(pg, "a2", "u2", "2026-11-28 23:00:00");
    mirror.syncNow();
    assertSameAsPostgres();
    assertThat(Sql.count(local, "SELECT count(*) FROM events")).isEqualTo(3);

    try (Statement s = pg.createStatement()) {
      // a replay that failed again: the row is updated in place
      s.execute("UPDATE quarantine SET reason = 'still_invalid', detail = 'line 1',"
          + " written_xid = pg_current_xact_id() WHERE id = 'q1'");
      // the link seen again later: an upsert
      s.execute("INSERT INTO identities (anonymous_id, user_id, first_seen, last_seen, source)"
          + " VALUES ('a2', 'u2', '2026-11-28 23:00:00', '2026-11-29 11:00:00', 'web')"
          + " ON CONFLICT (anonymous_id, user_id) DO UPDATE SET last_seen = excluded.last_seen,"
          + " written_xid = pg_current_xact_id()");
    }
    deletePerson(pg, "u1", "a1");
    event(pg, "m4", null, "a3", "2026-11-29 11:00:00");
    mirror.syncNow();
    assertSameAsPostgres();
    assertThat(Sql.rows(local, "SELECT message_id FROM events ORDER BY 1"))
        .extracting(r -> r.get("message_id")).containsExactly("m3", "m4");
    assertThat(Sql.value(local, "SELECT reason FROM quarantine WHERE id = 'q1'")).isEqualTo("still_invalid");
    assertThat(Sql.count(local, "SELECT count(*) FROM quarantine")).isEqualTo(2);
    assertThat(Sql.rows(local, "SELECT anonymous_id, strftime(last_seen, '%H:%M') AS t FROM identities"))
        .containsExactly(java.util.Map.of("anonymous_id", "a2", "t", "11:00"));
    assertThat(registry.get("trackside.mirror.rows.copied").tag("table", "events").counter().count()).isEqualTo(4);
    assertThat(registry.get("trackside.mirror.rows.deleted").tag("table", "events").counter().count()).isEqualTo(2);
    assertThat(registry.get("trackside.mirror.rows.deleted").tag("table", "identities").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("trackside.mirror.lag.seconds").gauge().value()).isZero();

    // nothing new: nothing copied, nothing changed
    mirror.syncNow();
    assertSameAsPostgres();
    assertThat(registry.get("trackside.mirror.rows.copied").tag("table", "events").counter().count()).isEqualTo(4);
  }

  @Test
  void aTransactionCommittedAfterALaterOneIsCopiedOnceItCommitsAndNothingTwice() throws Exception {
    try (Connection a = db.connect(); Connection b = db.connect()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      long xidA = xid(a); // A takes the lower xid...
      event(a, "from-a", null, "a", "2026-11-29 10:00:00");
      long xidB = xid(b);
      event(b, "from-b", null, "b", "2026-11-29 10:00:01");
      assertThat(xidA).isLessThan(xidB);
      b.commit(); // ...and B commits first
      mirror.syncNow();
      assertThat(messageIds()).containsExactly("from-b");
      a.commit();
      mirror.syncNow();
      assertThat(messageIds()).containsExactly("from-a", "from-b");
      mirror.syncNow();
      assertThat(messageIds()).containsExactly("from-a", "from-b");
    }
    assertSameAsPostgres();
  }

  @Test
  void aRowOfADeletedKeyCommittedAfterTheDeleteRanSurvivesAsInPostgres() throws Exception {
    event(pg, "before", "u1", "a1", "2026-11-29 10:00:00");
    identity(pg, "a1", "u1", "2026-11-29 10:00:00");
    mirror.syncNow();
    try (Connection deleting = db.connect(); Connection writing = db.connect()) {
      deleting.setAutoCommit(false);
      try (Statement s = deleting.createStatement()) {
        s.execute("DELETE FROM events WHERE user_id = 'u1'");
        s.execute("DELETE FROM identities WHERE user_id = 'u1'");
        s.execute("INSERT INTO mirror_deletes (table_name, key_column, key_value) VALUES ('events', 'user_id', 'u1'),"
            + " ('identities', 'user_id', 'u1')");
      }
      // committed while the deletion is open, after its DELETE ran: PostgreSQL keeps them
      event(writing, "during", "u1", "a1", "2026-11-29 10:00:01");
      identity(writing, "a2", "u1", "2026-11-29 10:00:01");
      mirror.syncNow();
      assertThat(Sql.count(local, "SELECT count(*) FROM identities")).isEqualTo(2);
      assertThat(messageIds()).containsExactly("before", "during");
      deleting.commit();
    }
    mirror.syncNow();
    assertThat(messageIds()).containsExactly("during");
    assertThat(Sql.value(local, "SELECT anonymous_id FROM identities")).isEqualTo("a2");
    assertSameAsPostgres();
    assertThat(registry.get("trackside.mirror.rows.deleted").tag("table", "events").counter().count()).isEqualTo(1);
  }

  @Test
  void aRestartResumesWhereTheLastPollEndedWithoutDuplicatesOrGaps() throws Exception {
    event(pg, "before", null, "a", "2026-11-29 10:00:00");
    try (Connection open = db.connect()) {
      open.setAutoCommit(false);
      xid(open);
      event(open, "open-across-the-restart", null, "b", "2026-11-29 10:00:01");
      mirror.syncNow();
      assertThat(messageIds()).containsExactly("before");
      event(pg, "after-first-poll", null, "c", "2026-11-29 10:00:02");
      mirror.syncNow();
      closeLocal();
      event(pg, "while-down", null, "d", "2026-11-29 10:00:03");
      open.commit();
    }
    openLocal(); // the same file
    mirror.syncNow();
    assertThat(messageIds()).containsExactly("after-first-poll", "before", "open-across-the-restart", "while-down");
    assertSameAsPostgres();
  }

  @Test
  void hostileValuesArriveUnchanged() throws Exception {
    String properties = "{\"b\" :  1,\n \"a\":\"it's \\\"quoted\\\"\\n, é, 😀, \\u0000\", \"a\": 2}";
    String text = "O'Brien \"the\" \\ \n\t line; DROP TABLE events; -- ümlaut 日本 😀";
    try (PreparedStatement ps = pg.prepareStatement("INSERT INTO events (message_id, source, type, user_id,"
        + " page_title, timestamp, original_timestamp, sent_at, received_at, properties, context, is_bot,"
        + " session_number, log_partition, log_offset) VALUES (?, 'web', 'track', ?, ?,"
        + " '1969-12-31 23:59:59.999999', '2026-11-29 10:00:00.000001', NULL, '2026-11-29 10:00:00.123456',"
        + " CAST(? AS json), CAST(? AS json), NULL, NULL, 2147483647, 9223372036854775807)")) {
      ps.setString(1, "hostile");
      ps.setString(2, text);
      ps.setString(3, "\u00a0 " + text);
      ps.setString(4, properties);
      ps.setString(5, "[]");
      ps.executeUpdate();
    }
    quarantine(pg, "q'1", "invalid\nreason", "\u0000 is not allowed in text, but this is: \uFFFD " + text);
    mirror.syncNow();
    assertSameAsPostgres();
    assertThat(Sql.value(local, "SELECT CAST(properties AS VARCHAR) FROM events")).isEqualTo(properties);
    assertThat(Sql.value(local, "SELECT user_id FROM events")).isEqualTo(text);
    assertThat(Sql.value(local, "SELECT strftime(timestamp, '%Y-%m-%d %H:%M:%S.%f') FROM events"))
        .isEqualTo("1969-12-31 23:59:59.999999");
    assertThat(Sql.value(local, "SELECT epoch_us(received_at) FROM events"))
        .isEqualTo(Instant.parse("2026-11-29T10:00:00.123456Z").toEpochMilli() * 1000 + 456);
    assertThat(Sql.rows(local, "SELECT sent_at, is_bot, session_number, traits FROM events").get(0).values())
        .containsOnlyNulls();
  }

  @Test
  void aFileWithEventsOfItsOwnIsNotTakenForAMirror() throws Exception {
    closeLocal();
    Path other = dir.resolve("standalone.duckdb");
    try (DuckDbWarehouse standalone = DuckDbWarehouse.open(other, new SimpleMeterRegistry())) {
      standalone.write(new WarehouseBatch("warehouse", List.of(TestEvents.logged("m1", 0, 0)), List.of(),
          java.util.Map.of(0, 1L)));
      assertThatThrownBy(() -> WarehouseMirror.manual(db.url(), standalone, INTERVAL, registry, clock))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("move it aside");
    }
    openLocal();
  }

  @Test
  void checkSaysWhenPostgresCannotBeReadAndHowOldTheCopyIsWhileTheCopyIsStillServed() throws Exception {
    assertThat(mirror.check()).contains("first copy from PostgreSQL in progress");
    WarehouseMirror unreachable = WarehouseMirror.manual("jdbc:postgresql://127.0.0.1:1/nothing?user=postgres",
        local, INTERVAL, registry, clock);
    try {
      assertThatThrownBy(unreachable::syncNow).isInstanceOf(SQLException.class);
      assertThat(unreachable.check()).startsWith("cannot copy from PostgreSQL").endsWith("no copy yet");
    } finally {
      unreachable.close();
    }

    // a server that goes away after the first copy: its database is dropped
    try (PgTestDatabase gone = PgTestDatabase.create(); Connection conn = gone.connect();
         DuckDbWarehouse copy = DuckDbWarehouse.open(dir.resolve("copy.duckdb"), new SimpleMeterRegistry())) {
      PgSchema.create(conn);
      try (Statement s = conn.createStatement()) {
        s.execute(PgSchema.partitionDdl(LocalDate.of(2026, 11, 29)));
      }
      event(conn, "m1", null, "a", "2026-11-29 10:00:00");
      WarehouseMirror goneMirror = WarehouseMirror.manual(gone.url(), copy, INTERVAL, new SimpleMeterRegistry(), clock);
      try {
        goneMirror.syncNow();
        assertThat(goneMirror.check()).isNull();
        conn.close();
        gone.close();
        assertThatThrownBy(goneMirror::syncNow).isInstanceOf(SQLException.class);
        clock.advance(Duration.ofSeconds(10));
        assertThat(goneMirror.check()).as("a copy 10 s old is still fine").isNull();
        assertThat(goneMirror.lagSeconds()).isEqualTo(10.0);
        clock.advance(Duration.ofSeconds(50));
        assertThatThrownBy(goneMirror::syncNow).isInstanceOf(SQLException.class);
        assertThat(goneMirror.check()).startsWith("cannot copy from PostgreSQL since").endsWith("(60 s old)");
        assertThat(Sql.count(copy, "SELECT count(*) FROM events")).isEqualTo(1);
      } finally {
        goneMirror.close();
      }
    }
  }

  @Test
  void listenersHearOfNewEventsAndTheirDaysButNotOfTheFirstCopysHistory() throws Exception {
    List<MirrorChanges> heard = new ArrayList<>();
    mirror.addListener(heard::add);
    event(pg, "history", null, "a", "2026-11-28 10:00:00");
    mirror.syncNow();
    assertThat(heard).hasSize(1);
    assertThat(heard.get(0).fullCopy()).isTrue();
    assertThat(heard.get(0).newEvents()).isEmpty();
    assertThat(heard.get(0).changedDays()).containsExactly(LocalDate.of(2026, 11, 28));

    event(pg, "second", null, "b", "2026-11-29 10:00:02.5");
    event(pg, "first", null, "c", "2026-11-29 10:00:01");
    mirror.syncNow();
    mirror.syncNow(); // nothing new: nobody is told
    assertThat(heard).hasSize(2);
    MirrorChanges changes = heard.get(1);
    assertThat(changes.fullCopy()).isFalse();
    assertThat(changes.changedDays()).containsExactly(LocalDate.of(2026, 11, 29));
    assertThat(changes.newEvents()).containsExactly(
        new MirroredEvent(Instant.parse("2026-11-29T10:00:01Z"), Instant.parse("2026-11-29T10:00:01Z"), "track",
            "Clicked", null, null, "c", null, null, null, null),
        new MirroredEvent(Instant.parse("2026-11-29T10:00:02.5Z"), Instant.parse("2026-11-29T10:00:02.5Z"), "track",
            "Clicked", null, null, "b", null, null, null, null));
  }

  @Test
  void aFirstCopyLargerThanAPageIsStreamedWhole() throws Exception {
    int rows = MirrorPoll.FETCH_SIZE * 2 + 1;
    try (Statement s = pg.createStatement()) {
      s.execute("INSERT INTO events (message_id, source, type, anonymous_id, timestamp, received_at, log_partition,"
          + " log_offset) SELECT 'm' || n, 'web', 'page', 'a' || (n % 100), TIMESTAMP '2026-11-28 00:00:00'"
          + " + n * INTERVAL '1 second', TIMESTAMP '2026-11-28 00:00:00' + n * INTERVAL '1 second', 0, n"
          + " FROM generate_series(1, " + rows + ") n");
    }
    mirror.syncNow();
    assertThat(Sql.count(local, "SELECT count(*) FROM events")).isEqualTo(rows);
    assertThat(Sql.count(local, "SELECT count(DISTINCT message_id) FROM events")).isEqualTo(rows);
    assertSameAsPostgres();
  }

  @Test
  void startedItFollowsPostgresOnItsOwnThread() throws Exception {
    mirror.close();
    mirror = WarehouseMirror.start(db.url(), local, Duration.ofMillis(100), new SimpleMeterRegistry());
    event(pg, "m1", null, "a", "2026-11-29 10:00:00");
    awaitEvents(1);
    event(pg, "m2", null, "b", "2026-11-29 10:00:01");
    awaitEvents(2);
    assertThat(mirror.check()).isNull();
    assertThat(mirror.lagSeconds()).isLessThan(5.0);
  }

  private void awaitEvents(long n) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (Sql.count(local, "SELECT count(*) FROM events") < n && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertThat(Sql.count(local, "SELECT count(*) FROM events")).isEqualTo(n);
  }

  private void assertSameAsPostgres() throws SQLException {
    for (String table : PgSchema.MIRRORED) {
      assertThat(MirrorRows.duckDb(local, table)).as(table).isEqualTo(MirrorRows.postgres(pg, table));
    }
  }

  private List<String> messageIds() throws SQLException {
    List<String> ids = new ArrayList<>();
    for (var row : Sql.rows(local, "SELECT message_id FROM events ORDER BY message_id")) {
      ids.add((String) row.get("message_id"));
    }
    return ids;
  }

  static long xid(Connection conn) throws SQLException {
    try (Statement s = conn.createStatement(); var rs = s.executeQuery("SELECT CAST(pg_current_xact_id() AS text)")) {
      rs.next();
      return Long.parseLong(rs.getString(1));
    }
  }

  static void event(Connection conn, String messageId, String userId, String anonymousId, String receivedAt)
      throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO events (message_id, source, type, event, user_id,"
        + " anonymous_id, visitor_id, timestamp, received_at, properties, log_partition, log_offset)"
        + " VALUES (?, 'web', 'track', 'Clicked', ?, ?, ?, CAST(? AS timestamp), CAST(? AS timestamp),"
        + " CAST('{\"n\": 1}' AS json), 0, 1)")) {
      ps.setString(1, messageId);
      ps.setString(2, userId);
      ps.setString(3, anonymousId);
      ps.setString(4, anonymousId);
      ps.setString(5, receivedAt);
      ps.setString(6, receivedAt);
      ps.executeUpdate();
    }
  }

  static void quarantine(Connection conn, String id, String reason, String payload) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO quarantine (received_at, source, reason, detail,"
        + " message_id, payload, log_partition, log_offset, ip, user_agent, id)"
        + " VALUES ('2026-11-29 09:00:00.5', 'web', ?, NULL, 'qm', ?, 1, 2, '203.0.113.0', 'UA', ?)")) {
      ps.setString(1, reason);
      ps.setString(2, payload.replace("\u0000", "\\u0000"));
      ps.setString(3, id);
      ps.executeUpdate();
    }
  }

  static void identity(Connection conn, String anonymousId, String userId, String seen) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO identities (anonymous_id, user_id, first_seen,"
        + " last_seen, source) VALUES (?, ?, CAST(? AS timestamp), CAST(? AS timestamp), 'web')")) {
      ps.setString(1, anonymousId);
      ps.setString(2, userId);
      ps.setString(3, seen);
      ps.setString(4, seen);
      ps.executeUpdate();
    }
  }

  /** As PostgresWarehouse would: the rows and their record in mirror_deletes, in one transaction. */
  static void deletePerson(Connection conn, String userId, String anonymousId) throws SQLException {
    boolean autoCommit = conn.getAutoCommit();
    conn.setAutoCommit(false);
    try (Statement s = conn.createStatement()) {
      s.execute("DELETE FROM events WHERE user_id = '" + userId + "' OR anonymous_id = '" + anonymousId + "'");
      s.execute("DELETE FROM identities WHERE user_id = '" + userId + "'");
      s.execute("INSERT INTO mirror_deletes (table_name, key_column, key_value) VALUES"
          + " ('events', 'user_id', '" + userId + "'), ('events', 'anonymous_id', '" + anonymousId + "'),"
          + " ('identities', 'user_id', '" + userId + "')");
      conn.commit();
    } finally {
      conn.setAutoCommit(autoCommit);
    }
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
