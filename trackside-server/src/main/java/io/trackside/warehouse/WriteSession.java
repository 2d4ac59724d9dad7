package io.trackside.warehouse;

import io.trackside.core.Event;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  private final DuckDBConnection conn;
  private final PreparedStatement begin;
  private final PreparedStatement upsertPosition;

  WriteSession(DuckDBConnection conn) throws SQLException {
    this.conn = conn;
    conn.setAutoCommit(false);
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
    if (links.isEmpty()) {
      conn.commit();
    } else {
      // Same transaction: a link exists exactly when the events that show it do. DuckDB fails
      // one of two open transactions that update the same row, and two workers may well link
      // the same ids; so the link upserts and their commits take turns (only this tail of the
      // write is serialised, and only for batches that link ids).
      identityLock.lock();
      try {
        links.upsert(conn);
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
    return quarantined.size() - alreadyQuarantined.size();
  }

  /**
   * An event the columns cannot hold (say a timestamp in the year 300000, beyond 64-bit
   * microseconds). Retrying would fail the same way forever and hold up every event behind it.
   */
  private static QuarantinedRecord unstorable(LoggedEvent logged, RuntimeException e) {
    Event event = logged.event();
    log.warn("Event {} at log position {}/{} cannot be stored ({}); quarantined", event.messageId(),
        logged.logPartition(), logged.logOffset(), e.toString());
    return new QuarantinedRecord(event.receivedAt(), event.source(), DuckDbWarehouse.UNSTORABLE, e.toString(),
        event.messageId(), event.toString().getBytes(StandardCharsets.UTF_8), logged.logPartition(),
        logged.logOffset());
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
