package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * One poll of a {@link WarehouseMirror}: what PostgreSQL transactions not copied yet wrote, read
 * in one REPEATABLE READ snapshot and applied to the local DuckDB in one transaction together
 * with the new {@link MirrorState}. Either all of it lands or none of it.
 *
 * <p>Rows are streamed (a cursor of {@link #FETCH_SIZE} rows) straight into DuckDB Appenders, so
 * even the first, full copy of a large warehouse holds only a page of rows in memory; DuckDB
 * writes a large transaction's row groups to its file before the commit.
 */
final class MirrorPoll {
  static final int FETCH_SIZE = 5_000;

  /**
   * The deletions a mirror repeats, by "table key_column" as {@code mirror_deletes} names them.
   * The SQL is this program's text: nothing read from the database is ever put into a statement.
   * A deletion of any other kind fails the poll, rather than leaving rows that should be gone.
   */
  private static final Map<String, String> DELETE_SQL = Map.of(
      "events user_id", "DELETE FROM events WHERE user_id = ?",
      "events anonymous_id", "DELETE FROM events WHERE anonymous_id = ?",
      "events previous_id", "DELETE FROM events WHERE previous_id = ?",
      "quarantine id", "DELETE FROM quarantine WHERE id = ?",
      "identities user_id", "DELETE FROM identities WHERE user_id = ?",
      "identities anonymous_id", "DELETE FROM identities WHERE anonymous_id = ?");
  /** For an events deletion: the days it takes events from, which the session rollup must rebuild. */
  private static final Map<String, String> DAYS_SQL = Map.of(
      "events user_id", "SELECT DISTINCT CAST(timestamp AS DATE) FROM events WHERE user_id = ?",
      "events anonymous_id", "SELECT DISTINCT CAST(timestamp AS DATE) FROM events WHERE anonymous_id = ?",
      "events previous_id", "SELECT DISTINCT CAST(timestamp AS DATE) FROM events WHERE previous_id = ?");

  /** For each deletion: the PostgreSQL rows of the key that this copy already holds (see {@link #restore}). */
  private static final Map<String, String> RESTORE_TABLE_COLUMN = Map.of(
      "events user_id", "events WHERE user_id = ?",
      "events anonymous_id", "events WHERE anonymous_id = ?",
      "events previous_id", "events WHERE previous_id = ?",
      "quarantine id", "quarantine WHERE id = ?",
      "identities user_id", "identities WHERE user_id = ?",
      "identities anonymous_id", "identities WHERE anonymous_id = ?");

  /** Told every {@link #FETCH_SIZE} events of a full copy, to report its progress. */
  interface Progress {
    void events(long copied, long total);
  }

  record Result(MirrorState state, Map<String, Long> copied, Map<String, Long> deleted, MirrorChanges changes) {
  }

  private record Deletion(long xid, String table, String column, String value) {
  }

  private static final MirrorColumns EVENTS = new MirrorColumns(Schema.EVENTS);
  private static final int TIMESTAMP = EVENTS.indexOf("timestamp");
  private static final int RECEIVED_AT = EVENTS.indexOf("received_at");

  private final Connection pg;
  private final DuckDBConnection duck;
  private final Progress progress;
  private final Map<String, Long> copied = new HashMap<>();
  private final Map<String, Long> deleted = new HashMap<>();
  private final Set<LocalDate> changedDays = new TreeSet<>();
  private final PriorityQueue<MirroredEvent> newest =
      new PriorityQueue<>(Comparator.comparing(MirroredEvent::receivedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
  private Set<Long> seen;
  private long xmin;

  /**
   * @param pg   a connection with auto-commit off, REPEATABLE READ and read-only; the poll ends its transaction
   * @param duck a connection of its own with auto-commit off; after an exception, discard it (see
   *             {@link WriteSession#discard}: rows left in an Appender would land in its next transaction)
   */
  MirrorPoll(Connection pg, DuckDBConnection duck, Progress progress) {
    this.pg = pg;
    this.duck = duck;
    this.progress = progress;
  }

  Result run() throws SQLException {
    try {
      return apply();
    } finally {
      try {
        pg.rollback(); // read only: ending the snapshot is all there is to do
      } catch (SQLException broken) {
        // the connection is gone; the caller drops it after a failure, and a success stands
      }
    }
  }

  private Result apply() throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute("SELECT 1"); // opens the DuckDB transaction before the first append (see WriteSession)
    }
    MirrorState state = MirrorState.load(duck);
    if (state == null) {
      state = MirrorState.EMPTY;
    }
    boolean full = state.low() == 0;
    // The first statement fixes the snapshot that every read below sees.
    try (Statement s = pg.createStatement();
         ResultSet rs = s.executeQuery("SELECT CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text)")) {
      rs.next();
      // Every transaction below xmin has ended, so all its rows are in this snapshot; the cursor
      // never moves back (a snapshot's xmin does not either, but a restored server might).
      xmin = Math.max(state.low(), Long.parseLong(rs.getString(1)));
    }
    seen = new TreeSet<>();
    for (long xid : state.seen()) {
      keepSeen(xid);
    }
    // A full copy's snapshot already lacks every row deleted before it, and the local tables are
    // empty: deletions from xmin on are read only to be remembered as seen (applying them is a no-op).
    for (Deletion d : deletions(full ? xmin : state.low(), state)) {
      delete(d, state);
      keepSeen(d.xid());
    }
    upsert("quarantine", state, "mirror_incoming_quarantine",
        "DELETE FROM quarantine WHERE id IN (SELECT id FROM mirror_incoming_quarantine)",
        "INSERT INTO quarantine SELECT * FROM mirror_incoming_quarantine");
    upsert("identities", state, "mirror_incoming_identities",
        "INSERT INTO identities SELECT * FROM mirror_incoming_identities ON CONFLICT (anonymous_id, user_id)"
            + " DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen, source = excluded.source");
    copyEvents(state, full);
    MirrorState next = new MirrorState(xmin, seen);
    next.save(duck);
    duck.commit();
    List<MirroredEvent> events = new ArrayList<>(newest);
    events.sort(newest.comparator());
    return new Result(next, copied, deleted, new MirrorChanges(events, changedDays, full));
  }

  /** Transactions from xmin on may still be open elsewhere in the cluster: keep them out of the next polls. */
  private void keepSeen(long xid) {
    if (xid >= xmin) {
      seen.add(xid);
    }
  }

  private static final String NOT_COPIED = " WHERE written_xid >= CAST(? AS xid8)"
      + " AND NOT (written_xid = ANY (CAST(? AS xid8[])))";

  private PreparedStatement notCopied(String select, long from, MirrorState state) throws SQLException {
    PreparedStatement ps = pg.prepareStatement(select + NOT_COPIED);
    ps.setString(1, Long.toString(from));
    ps.setString(2, state.seenArray());
    ps.setFetchSize(FETCH_SIZE);
    return ps;
  }

  private List<Deletion> deletions(long from, MirrorState state) throws SQLException {
    List<Deletion> deletions = new ArrayList<>();
    try (PreparedStatement ps = notCopied("SELECT CAST(written_xid AS text), table_name, key_column, key_value"
        + " FROM mirror_deletes", from, state); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        deletions.add(new Deletion(Long.parseLong(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getString(4)));
      }
    }
    // In the order they were made, as far as xids tell; deletions by key commute anyway.
    deletions.sort(Comparator.comparingLong(Deletion::xid));
    return deletions;
  }

  private void delete(Deletion d, MirrorState state) throws SQLException {
    String kind = d.table() + " " + d.column();
    String sql = DELETE_SQL.get(kind);
    if (sql == null) {
      throw new SQLException("mirror_deletes asks to delete from " + d.table() + " by " + d.column()
          + ", which this version cannot repeat; the copy stays as it is until this node is upgraded");
    }
    if (DAYS_SQL.containsKey(kind)) {
      try (PreparedStatement ps = duck.prepareStatement(DAYS_SQL.get(kind))) {
        ps.setString(1, d.value());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            LocalDate day = rs.getObject(1, LocalDate.class);
            if (day != null) {
              changedDays.add(day);
            }
          }
        }
      }
    }
    long n;
    try (PreparedStatement ps = duck.prepareStatement(sql)) {
      ps.setString(1, d.value());
      n = ps.executeUpdate();
    }
    n -= restore(d, kind, state);
    deleted.merge(d.table(), n, Long::sum);
  }

  /**
   * A deletion by key removes every local row of the key, but in PostgreSQL it removed only the
   * rows its statement saw: a row of the key committed by another transaction after the DELETE ran
   * (and copied already, its xid may be lower or higher) survived there. So the rows of the key
   * that PostgreSQL still holds and that were copied before are put back; rows of transactions not
   * copied yet come with the rest of this poll. Deletions are rare (erasures, replays), and each
   * costs one query by key (user_id and anonymous_id are indexed; previous_id is not).
   *
   * @return how many rows were put back
   */
  private long restore(Deletion d, String kind, MirrorState state) throws SQLException {
    MirrorColumns columns = new MirrorColumns(MirrorColumns.of(d.table()));
    long n = 0;
    try (PreparedStatement ps = pg.prepareStatement("SELECT " + columns.selectList() + " FROM "
        + RESTORE_TABLE_COLUMN.get(kind) + " AND (written_xid < CAST(? AS xid8)"
        + " OR written_xid = ANY (CAST(? AS xid8[])))")) {
      ps.setString(1, d.value());
      ps.setString(2, Long.toString(state.low()));
      ps.setString(3, state.seenArray());
      ps.setFetchSize(FETCH_SIZE);
      try (ResultSet rs = ps.executeQuery();
           DuckDBAppender appender = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, d.table())) {
        while (rs.next()) {
          columns.append(appender, columns.read(rs));
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Quarantine rows are updated by id and identities by their key: the changed rows go to a
   * staging table first, then replace or update theirs in one statement each.
   */
  private void upsert(String table, MirrorState state, String staging, String... merge) throws SQLException {
    MirrorColumns columns = new MirrorColumns(MirrorColumns.of(table));
    long n = 0;
    try (Statement s = duck.createStatement()) {
      s.execute("DELETE FROM " + staging);
    }
    try (PreparedStatement ps = notCopied("SELECT " + columns.selectList() + " FROM " + table, state.low(), state);
         ResultSet rs = ps.executeQuery();
         DuckDBAppender appender = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, staging)) {
      while (rs.next()) {
        columns.append(appender, columns.read(rs));
        keepSeen(columns.xid(rs));
        n++;
      }
    }
    if (n > 0) {
      try (Statement s = duck.createStatement()) {
        for (String sql : merge) {
          s.execute(sql);
        }
        s.execute("DELETE FROM " + staging);
      }
      copied.merge(table, n, Long::sum);
    }
  }

  private void copyEvents(MirrorState state, boolean full) throws SQLException {
    long total = full ? countEvents() : -1;
    long n = 0;
    try (PreparedStatement ps = notCopied("SELECT " + EVENTS.selectList() + " FROM events", state.low(), state);
         ResultSet rs = ps.executeQuery();
         DuckDBAppender appender = duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "events")) {
      while (rs.next()) {
        Object[] values = EVENTS.read(rs);
        EVENTS.append(appender, values);
        keepSeen(EVENTS.xid(rs));
        Long timestamp = (Long) values[TIMESTAMP];
        if (timestamp != null) {
          changedDays.add(LocalDate.ofInstant(instant(timestamp), ZoneOffset.UTC));
        }
        if (!full) {
          newest.add(live(values));
          if (newest.size() > WarehouseMirror.LIVE_EVENTS) {
            newest.poll();
          }
        }
        if (++n % FETCH_SIZE == 0 && full) {
          progress.events(n, total);
        }
      }
    }
    if (n > 0) {
      copied.merge("events", n, Long::sum);
    }
  }

  private long countEvents() throws SQLException {
    try (Statement s = pg.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static final int[] LIVE_TEXT = {EVENTS.indexOf("type"), EVENTS.indexOf("event"), EVENTS.indexOf("name"),
      EVENTS.indexOf("page_path"), EVENTS.indexOf("visitor_id"), EVENTS.indexOf("country"),
      EVENTS.indexOf("device_class"), EVENTS.indexOf("channel")};
  private static final int IS_BOT = EVENTS.indexOf("is_bot");

  private static MirroredEvent live(Object[] v) {
    String[] t = new String[LIVE_TEXT.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = (String) v[LIVE_TEXT[i]];
    }
    return new MirroredEvent(instant((Long) v[TIMESTAMP]), instant((Long) v[RECEIVED_AT]), t[0], t[1], t[2], t[3],
        t[4], t[5], t[6], t[7], (Boolean) v[IS_BOT]);
  }

  private static Instant instant(Long micros) {
    return micros == null ? null
        : Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
  }
}
