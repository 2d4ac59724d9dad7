package io.trackside.warehouse;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

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

  /** Appends the rows and stores the positions in one transaction; on any exception nothing is kept. */
  void write(List<Object[]> eventRows, List<QuarantinedRecord> quarantined, String consumer,
             Map<Integer, Long> nextOffsets, RowHook hook) throws SQLException {
    begin.execute(); // opens the transaction before the first append (see class comment)
    if (!eventRows.isEmpty()) {
      try (DuckDBAppender appender = conn.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "events")) {
        for (int i = 0; i < eventRows.size(); i++) {
          EventColumns.append(appender, eventRows.get(i));
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
    conn.commit();
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
