package io.trackside.warehouse;

import io.trackside.core.Event;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One write connection of a {@link PostgresWarehouse}, used by one thread at a time: events and
 * quarantine rows go in with COPY, positions and identity links with upserts, all in one
 * transaction that {@link #begin} opens by taking the shared side of {@link #DELETION_LOCK}.
 */
final class PgWriteSession implements AutoCloseable {

  /**
   * Advisory lock between writes (shared, any number at once, on every node) and person
   * deletions (exclusive): a deletion waits for the writes in flight and holds new ones off
   * until it has committed its suppressions, which those writes then read.
   */
  static final long DELETION_LOCK = 7226410930512345002L;

  private static final Logger log = LoggerFactory.getLogger(PgWriteSession.class);
  /** COPY text is sent to the server in pieces of about this many characters. */
  private static final int COPY_CHUNK = 1 << 20;
  static final String EVENT_COLUMNS =
      Schema.EVENTS.stream().map(Schema.Column::name).collect(Collectors.joining(", "));
  static final String QUARANTINE_COLUMNS =
      Schema.QUARANTINE.stream().map(Schema.Column::name).collect(Collectors.joining(", "));

  private final Connection conn;
  private final CopyManager copy;

  PgWriteSession(Connection conn) throws SQLException {
    this.conn = conn;
    conn.setAutoCommit(false);
    this.copy = conn.unwrap(PGConnection.class).getCopyAPI();
  }

  /**
   * Creates the day's partition of events unless it exists, in a transaction of its own: creating
   * a partition locks the whole events table, which must not be held through a batch, and is
   * not needed at all when another node made it already. Two nodes may create it at the same
   * moment: the loser's "already exists" counts as success once the partition is there.
   */
  void ensurePartition(LocalDate day) throws SQLException {
    if (partitionExists(day)) {
      return;
    }
    try (Statement s = conn.createStatement()) {
      s.execute(PgSchema.partitionDdl(day));
      conn.commit();
    } catch (SQLException e) {
      conn.rollback();
      String state = e.getSQLState();
      boolean raced = "42P07".equals(state) || "23505".equals(state); // duplicate_table, unique_violation
      if (!raced || !partitionExists(day)) {
        throw e;
      }
    }
  }

  private boolean partitionExists(LocalDate day) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, PgSchema.partitionName(day));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        boolean exists = rs.getBoolean(1);
        conn.commit();
        return exists;
      }
    }
  }

  /** Opens the transaction; waits while a person is being deleted anywhere. */
  void begin() throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT pg_advisory_xact_lock_shared(?)")) {
      ps.setLong(1, DELETION_LOCK);
      ps.execute();
    }
  }

  /**
   * First in the transaction, before anything is written or forwarded: a node that lost the lease
   * of these partitions fails here and keeps nothing (see {@link WriteFence}).
   */
  void checkFence(WriteFence fence) throws SQLException {
    if (fence != null) {
      fence.check(conn);
    }
  }

  /** How many ids are suppressed; the table only grows, so a change in count means new ids. */
  long suppressionCount() throws SQLException {
    try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM suppressions")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  List<String> suppressedIds() throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM suppressions")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  /**
   * Copies the rows, stores the positions and links the identities in the transaction
   * {@link #begin} opened, calls {@code beforeCommit} with the events actually written, and
   * commits. On any exception nothing is kept (the caller {@link #discard}s the session).
   *
   * @return how many events were quarantined as unstorable
   */
  int write(List<LoggedEvent> events, List<QuarantinedRecord> alreadyQuarantined, String consumer,
            Map<Integer, Long> nextOffsets, WriteSession.RowHook hook, Warehouse.BeforeCommit beforeCommit)
      throws SQLException {
    List<QuarantinedRecord> quarantined = new ArrayList<>(alreadyQuarantined);
    List<LoggedEvent> written = new ArrayList<>(events.size());
    IdentityLinks links = new IdentityLinks();
    if (!events.isEmpty()) {
      CopyIn in = copy.copyIn("COPY events (" + EVENT_COLUMNS + ") FROM STDIN");
      try {
        PgCopyText rows = new PgCopyText();
        for (int i = 0; i < events.size(); i++) {
          LoggedEvent logged = events.get(i);
          try {
            EventColumns.copy(rows, EventColumns.values(logged));
          } catch (RuntimeException e) {
            quarantined.add(WriteSession.unstorable(logged, e));
            continue;
          }
          written.add(logged);
          links.add(logged.event());
          if (hook != null) {
            hook.afterRow(i);
          }
          if (rows.length() >= COPY_CHUNK) {
            send(in, rows);
          }
        }
        send(in, rows);
        in.endCopy();
      } finally {
        if (in.isActive()) {
          in.cancelCopy();
        }
      }
    }
    copyQuarantine(quarantined);
    upsertPositions(consumer, nextOffsets);
    links.upsertPostgres(conn);
    if (beforeCommit != null && !written.isEmpty()) {
      beforeCommit.accept(written);
    }
    conn.commit();
    return quarantined.size() - alreadyQuarantined.size();
  }

  private void copyAll(String sql, PgCopyText rows) throws SQLException {
    CopyIn in = copy.copyIn(sql);
    try {
      send(in, rows);
      in.endCopy();
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
  }

  private static void send(CopyIn in, PgCopyText rows) throws SQLException {
    if (rows.length() > 0) {
      byte[] bytes = rows.drain().getBytes(StandardCharsets.UTF_8);
      in.writeToCopy(bytes, 0, bytes.length);
    }
  }

  private void copyQuarantine(List<QuarantinedRecord> quarantined) throws SQLException {
    if (quarantined.isEmpty()) {
      return;
    }
    PgCopyText rows = new PgCopyText();
    for (QuarantinedRecord q : quarantined) {
      rows.timestampMicros(EventColumns.epochMicros(q.receivedAt()))
          .lossyField(q.source())
          .lossyField(q.reason())
          .lossyField(q.detail())
          .lossyField(q.messageId())
          // new String(...) replaces malformed UTF-8 with U+FFFD; lossyField does the same for U+0000
          .lossyField(q.payload() == null ? null : new String(q.payload(), StandardCharsets.UTF_8))
          .field(q.logPartition())
          .field(q.logOffset())
          .lossyField(q.ip())
          .lossyField(q.userAgent())
          .field(UUID.randomUUID().toString())
          .endRow();
    }
    copyAll("COPY quarantine (" + QUARANTINE_COLUMNS + ") FROM STDIN", rows);
  }

  /** In partition order, so that two writers never wait for each other's rows in opposite orders. */
  private void upsertPositions(String consumer, Map<Integer, Long> nextOffsets) throws SQLException {
    if (nextOffsets.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = conn.prepareStatement(
        "INSERT INTO log_positions (consumer, partition, next_offset) VALUES (?, ?, ?)"
            + " ON CONFLICT (consumer, partition) DO UPDATE SET next_offset = excluded.next_offset")) {
      for (Map.Entry<Integer, Long> position : new TreeMap<>(nextOffsets).entrySet()) {
        ps.setString(1, consumer);
        ps.setInt(2, position.getKey());
        ps.setLong(3, position.getValue());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * Settles a page of replayed quarantine rows in the transaction {@link #begin} opened (see
   * {@link QuarantineResolution}); the PostgreSQL twin of {@link WriteSession#resolve}. Removed
   * rows are recorded in mirror_deletes, updated ones get this transaction's written_xid.
   */
  QuarantineResolution.Result resolve(List<QuarantineResolution.Passed> fresh, List<String> windowDups,
                                      List<String> removedIds, List<QuarantineResolution.Failed> stillFailing)
      throws SQLException {
    Set<String> stored = storedIds(fresh);
    List<String> delete = new ArrayList<>(windowDups);
    delete.addAll(removedIds);
    List<QuarantineResolution.Failed> update = new ArrayList<>(stillFailing);
    int written = 0;
    int duplicates = windowDups.size();
    IdentityLinks links = new IdentityLinks();
    PgCopyText rows = new PgCopyText();
    for (QuarantineResolution.Passed passed : fresh) {
      Event event = passed.event().event();
      if (stored.contains(key(event.source(), event.messageId()))) {
        duplicates++;
        delete.add(passed.quarantineId());
        continue;
      }
      try {
        EventColumns.copy(rows, EventColumns.values(passed.event()));
      } catch (RuntimeException e) {
        update.add(new QuarantineResolution.Failed(passed.quarantineId(), Warehouse.UNSTORABLE, e.toString()));
        continue;
      }
      links.add(event);
      delete.add(passed.quarantineId());
      written++;
    }
    if (rows.length() > 0) {
      copyAll("COPY events (" + EVENT_COLUMNS + ") FROM STDIN", rows);
    }
    if (!delete.isEmpty()) {
      try (PreparedStatement ps = conn.prepareStatement("WITH d AS (DELETE FROM quarantine WHERE id = ANY (?)"
          + " RETURNING id) INSERT INTO mirror_deletes (table_name, key_column, key_value)"
          + " SELECT 'quarantine', 'id', id FROM d")) {
        ps.setArray(1, textArray(delete));
        ps.executeUpdate();
      }
    }
    if (!update.isEmpty()) {
      try (PreparedStatement ps = conn.prepareStatement("UPDATE quarantine SET reason = v.reason,"
          + " detail = v.detail, written_xid = pg_current_xact_id()"
          + " FROM unnest(?::text[], ?::text[], ?::text[]) AS v(id, reason, detail) WHERE quarantine.id = v.id")) {
        ps.setArray(1, textArray(update.stream().map(QuarantineResolution.Failed::quarantineId).toList()));
        ps.setArray(2, textArray(update.stream().map(f -> PgCopyText.lossy(f.reason())).toList()));
        ps.setArray(3, textArray(update.stream().map(f -> PgCopyText.lossy(f.detail())).toList()));
        ps.executeUpdate();
      }
    }
    links.upsertPostgres(conn);
    conn.commit();
    return new QuarantineResolution.Result(written, duplicates, update.size() - stillFailing.size());
  }

  /** (source, messageId) pairs of these events that the events table already holds. */
  private Set<String> storedIds(List<QuarantineResolution.Passed> events) throws SQLException {
    Set<String> stored = new HashSet<>();
    List<String> messageIds = events.stream().map(p -> p.event().event().messageId()).toList();
    if (messageIds.isEmpty()) {
      return stored;
    }
    try (PreparedStatement ps = conn.prepareStatement(
        "SELECT source, message_id FROM events WHERE message_id = ANY (?)")) {
      ps.setArray(1, textArray(messageIds));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          stored.add(key(rs.getString(1), rs.getString(2)));
        }
      }
    }
    return stored;
  }

  private Array textArray(List<String> values) throws SQLException {
    return conn.createArrayOf("text", values.toArray());
  }

  private static String key(String source, String messageId) {
    return source + '\u0000' + messageId;
  }

  /** After a failure: nothing of the transaction is kept; the connection goes too, in case it is broken. */
  void discard() {
    try {
      conn.rollback();
    } catch (SQLException | RuntimeException e) {
      log.debug("Rollback of a failed write failed too: {}", e.getMessage());
    }
    close();
  }

  /** Ends the transaction without keeping anything, for a batch that turned out to have nothing to write. */
  void rollback() throws SQLException {
    conn.rollback();
  }

  @Override
  public void close() {
    try {
      conn.close();
    } catch (SQLException | RuntimeException e) {
      // nothing more to do for a connection we are abandoning
    }
  }
}
