package io.trackside.warehouse;

import io.trackside.core.Event;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One write connection. The warehouse pools these so that concurrent writers (one per worker
 * thread) each append through their own connection: DuckDB runs their transactions side by
 * side (appends never conflict, and each worker updates only its own partitions' rows in
 * log_positions). Used by one thread at a time.
 *
 * <p>Two details of duckdb_jdbc shape {@link #write}:
 * <ul>
 *   <li>with auto-commit off the driver opens the transaction lazily, at the next statement;
 *       an Appender flush is not a statement, so rows appended before any statement are
 *       committed on their own. We therefore run a statement first.</li>
 *   <li>an Appender is confined to the thread that created it, and rows still buffered in it
 *       survive a rollback and would land in the next transaction. So each batch gets its own
 *       Appenders, closed (flushed) inside the transaction; after a failure the whole session
 *       is thrown away (see {@link #discard}).</li>
 * </ul>
 */
final class WriteSession implements AutoCloseable {

  /** Test seam: called after each event row is appended, to fail a write half-way. */
  interface RowHook {
    void afterRow(int index) throws SQLException;
  }

  private static final Logger log = LoggerFactory.getLogger(WriteSession.class);
  /** Rows per statement when a replay deletes or updates quarantine rows by id. */
  private static final int CHUNK = 300;

  private final DuckDBConnection conn;
  private final PreparedStatement begin;
  private final PreparedStatement upsertPosition;
  private final PreparedStatement upsertLinks;
  private final PreparedStatement clearLinks;

  WriteSession(DuckDBConnection conn) throws SQLException {
    this.conn = conn;
    try (Statement s = conn.createStatement()) {
      s.execute(IdentityLinks.CREATE_STAGING); // this connection's own; committed before auto-commit goes off
    }
    conn.setAutoCommit(false);
    this.upsertLinks = conn.prepareStatement(IdentityLinks.UPSERT_STAGED);
    this.clearLinks = conn.prepareStatement(IdentityLinks.CLEAR_STAGED);
    this.begin = conn.prepareStatement("SELECT 1");
    this.upsertPosition = conn.prepareStatement(
        "INSERT INTO log_positions (consumer, partition, next_offset) VALUES (?, ?, ?)"
            + " ON CONFLICT (consumer, partition) DO UPDATE SET next_offset = excluded.next_offset");
  }

  /**
   * Appends the rows and stores the positions in one transaction; on any exception nothing is
   * kept. An event whose values cannot be computed is quarantined in the same transaction
   * rather than failing the batch: retrying could never help it.
   *
   * @return how many events were quarantined as unstorable
   */
  int write(List<LoggedEvent> events, List<QuarantinedRecord> alreadyQuarantined, String consumer,
            Map<Integer, Long> nextOffsets, RowHook hook, Lock identityLock) throws SQLException {
    begin.execute(); // opens the transaction before the first append (see class comment)
    List<QuarantinedRecord> quarantined = alreadyQuarantined;
    IdentityLinks links = new IdentityLinks();
    if (!events.isEmpty()) {
      try (DuckDBAppender appender = conn.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "events")) {
        for (int i = 0; i < events.size(); i++) {
          Object[] values;
          try {
            values = EventColumns.values(events.get(i)); // throws before the Appender is touched
          } catch (RuntimeException e) {
            if (quarantined == alreadyQuarantined) {
              quarantined = new ArrayList<>(alreadyQuarantined);
            }
            quarantined.add(unstorable(events.get(i), e));
            continue;
          }
          EventColumns.append(appender, values);
          links.add(events.get(i).event());
          if (hook != null) {
            hook.afterRow(i);
          }
        }
      }
    }
    if (!quarantined.isEmpty()) {
      try (DuckDBAppender appender = conn.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "quarantine")) {
        for (QuarantinedRecord q : quarantined) {
          appender.beginRow();
          EventColumns.timestamp(appender, q.receivedAt());
          appender.append(q.source())
              .append(q.reason())
              .append(q.detail())
              .append(q.messageId())
              // new String(...) replaces malformed UTF-8 with U+FFFD
              .append(q.payload() == null ? null : new String(q.payload(), StandardCharsets.UTF_8))
              .append(q.logPartition())
              .append(q.logOffset())
              .append(q.ip())
              .append(q.userAgent())
              .append(UUID.randomUUID().toString())
              .endRow();
        }
      }
    }
    for (Map.Entry<Integer, Long> position : nextOffsets.entrySet()) {
      upsertPosition.setString(1, consumer);
      upsertPosition.setInt(2, position.getKey());
      upsertPosition.setLong(3, position.getValue());
      upsertPosition.executeUpdate();
    }
    commit(links, identityLock);
    return quarantined.size() - alreadyQuarantined.size();
  }

  /**
   * Commits, upserting the identity links first in the same transaction: a link exists exactly
   * when the events that show it do. DuckDB fails one of two open transactions that update the
   * same row, and two workers may well link the same ids; so the link upserts and their commits
   * take turns (only this tail of a write is serialised, and only for batches that link ids).
   */
  private void commit(IdentityLinks links, Lock identityLock) throws SQLException {
    if (links.isEmpty()) {
      conn.commit();
    } else {
      identityLock.lock();
      try {
        links.upsert(conn, upsertLinks, clearLinks);
        conn.commit();
      } catch (SQLException | RuntimeException e) {
        // Undo before letting go of the lock: a failed upsert leaves its rows changed in this
        // open transaction, and the next writer to touch them would conflict with it.
        try {
          conn.rollback();
        } catch (SQLException | RuntimeException alreadyGone) {
          e.addSuppressed(alreadyGone);
        }
        throw e;
      } finally {
        identityLock.unlock();
      }
    }
  }

  /**
   * Settles a page of replayed quarantine rows in one transaction (see
   * {@link QuarantineResolution}). Events already in the events table (same source and
   * messageId; the replay may be run twice, or the client may have sent the event again) are not
   * appended again. Like {@link #write}, on any exception nothing is kept.
   *
   * @param fresh      the passed events the dedupe window did not know (checked here against the table)
   * @param windowDups quarantine ids of passed events the dedupe window already knew
   */
  QuarantineResolution.Result resolve(List<QuarantineResolution.Passed> fresh, List<String> windowDups,
                                      List<String> removedIds, List<QuarantineResolution.Failed> stillFailing,
                                      Lock identityLock)
      throws SQLException {
    begin.execute();
    Set<String> stored = storedIds(fresh);
    List<String> delete = new ArrayList<>(windowDups);
    delete.addAll(removedIds);
    List<QuarantineResolution.Failed> update = new ArrayList<>(stillFailing);
    int written = 0;
    int duplicates = windowDups.size();
    IdentityLinks links = new IdentityLinks();
    if (!fresh.isEmpty()) {
      try (DuckDBAppender appender = conn.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "events")) {
        for (QuarantineResolution.Passed passed : fresh) {
          Event event = passed.event().event();
          if (stored.contains(key(event.source(), event.messageId()))) {
            duplicates++;
            delete.add(passed.quarantineId());
            continue;
          }
          Object[] values;
          try {
            values = EventColumns.values(passed.event());
          } catch (RuntimeException e) {
            update.add(new QuarantineResolution.Failed(passed.quarantineId(), Warehouse.UNSTORABLE, e.toString()));
            continue;
          }
          EventColumns.append(appender, values);
          links.add(event);
          delete.add(passed.quarantineId());
          written++;
        }
      }
    }
    for (int from = 0; from < delete.size(); from += CHUNK) {
      List<String> ids = delete.subList(from, Math.min(delete.size(), from + CHUNK));
      try (PreparedStatement ps = conn.prepareStatement(
          "DELETE FROM quarantine WHERE id IN (" + placeholders(ids.size(), "?") + ")")) {
        for (int i = 0; i < ids.size(); i++) {
          ps.setString(i + 1, ids.get(i));
        }
        ps.executeUpdate();
      }
    }
    // One statement per chunk, joined on id: a statement per row would scan the table per row.
    for (int from = 0; from < update.size(); from += CHUNK) {
      List<QuarantineResolution.Failed> rows = update.subList(from, Math.min(update.size(), from + CHUNK));
      try (PreparedStatement ps = conn.prepareStatement("UPDATE quarantine SET reason = v.reason, detail = v.detail"
          + " FROM (VALUES " + placeholders(rows.size(), "(?, ?, ?)") + ") AS v(id, reason, detail)"
          + " WHERE quarantine.id = v.id")) {
        int i = 1;
        for (QuarantineResolution.Failed row : rows) {
          ps.setString(i++, row.quarantineId());
          ps.setString(i++, row.reason());
          ps.setString(i++, row.detail());
        }
        ps.executeUpdate();
      }
    }
    commit(links, identityLock);
    return new QuarantineResolution.Result(written, duplicates, update.size() - stillFailing.size());
  }

  /** (source, messageId) pairs of these events that the events table already holds. */
  private Set<String> storedIds(List<QuarantineResolution.Passed> events) throws SQLException {
    Set<String> stored = new HashSet<>();
    for (int from = 0; from < events.size(); from += CHUNK) {
      List<QuarantineResolution.Passed> chunk = events.subList(from, Math.min(events.size(), from + CHUNK));
      try (PreparedStatement ps = conn.prepareStatement("SELECT source, message_id FROM events WHERE message_id IN ("
          + placeholders(chunk.size(), "?") + ")")) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i).event().event().messageId());
        }
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            stored.add(key(rs.getString(1), rs.getString(2)));
          }
        }
      }
    }
    return stored;
  }

  private static String key(String source, String messageId) {
    return source + '\u0000' + messageId;
  }

  private static String placeholders(int n, String one) {
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sql.append(i == 0 ? "" : ", ").append(one);
    }
    return sql.toString();
  }

  /**
   * An event the columns cannot hold (say a timestamp in the year 300000, beyond 64-bit
   * microseconds). Retrying would fail the same way forever and hold up every event behind it.
   */
  static QuarantinedRecord unstorable(LoggedEvent logged, RuntimeException e) {
    Event event = logged.event();
    log.warn("Event {} at log position {}/{} cannot be stored ({}); quarantined", event.messageId(),
        logged.logPartition(), logged.logOffset(), e.toString());
    // The event's fields as text, with the address only as the pipeline would store it.
    String ip = logged.enriched().ip;
    Event withoutRawIp = new Event(event.source(), event.messageId(), event.type(), event.event(), event.name(),
        event.userId(), event.anonymousId(), event.groupId(), event.previousId(), event.timestamp(),
        event.originalTimestamp(), event.sentAt(), event.receivedAt(), ip, event.userAgent(),
        EventColumns.storedContext(event.context(), ip), event.properties(), event.traits(), event.integrations());
    return new QuarantinedRecord(event.receivedAt(), event.source(), Warehouse.UNSTORABLE, e.toString(),
        event.messageId(), withoutRawIp.toString().getBytes(StandardCharsets.UTF_8), logged.logPartition(),
        logged.logOffset(), ip, event.userAgent());
  }

  /**
   * After a failure: make sure nothing appended so far can ever be committed. Closing the
   * connection closes (flushes) any Appender left open, so first make certain a transaction is
   * open for that flush to land in; disconnecting then rolls it back. Whatever the driver's idea
   * of the transaction state after the error, an explicit BEGIN either opens one or fails
   * because one is already open — both leave one open.
   */
  void discard() {
    try {
      conn.rollback();
    } catch (SQLException | RuntimeException ignored) {
      // the transaction may already be gone; the BEGIN below still ensures one is open
    }
    try (Statement s = conn.createStatement()) {
      s.execute("BEGIN TRANSACTION");
    } catch (SQLException | RuntimeException alreadyOpen) {
      // fine: a transaction is open
    }
    close();
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
