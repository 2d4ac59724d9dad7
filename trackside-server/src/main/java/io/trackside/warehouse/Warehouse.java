package io.trackside.warehouse;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Where the pipeline stores events: the system of record for events, the quarantine, identities,
 * suppressions, the privacy audit, dead letters and the warehouse writer's log positions.
 * {@link DuckDbWarehouse} (one node, the default) and {@link PostgresWarehouse} (shared by many
 * nodes) implement it; the same contract tests run against both.
 *
 * <p>Writes are batches made exactly-once in effect: rows and the consumer's new log positions
 * commit in one transaction, so after a crash the consumer resumes from {@link #positions} and
 * recovery never writes a row twice. Client retries (the same source and messageId sent again)
 * are deduplicated too.
 *
 * <p>The dashboard's analytical queries run on DuckDB: on a PostgreSQL warehouse, against a
 * local DuckDB copy kept in step with it (see {@code WarehouseMirror}).
 */
public interface Warehouse extends AutoCloseable {

  /** Quarantine reason of an event that decoded but does not fit the events table. */
  String UNSTORABLE = "unstorable";

  /**
   * Runs before the warehouse commits a batch, with the events it is about to write (not
   * suppressed, not duplicates of stored ones). If it throws, nothing is written and the caller
   * retries the batch. The enriched log for destinations is appended here, so a destination gets
   * exactly the events the warehouse stores, deduplicated the same way.
   */
  interface BeforeCommit {
    void accept(List<LoggedEvent> fresh);
  }

  /**
   * Writes the events, the quarantined records and the consumer's new positions in one
   * transaction: all of it commits, or none of it does. Events and quarantined records of
   * suppressed ids are left out (a deletion may have suppressed them after the pipeline looked).
   *
   * @throws SQLException when the database refuses the write (disk full, ...); nothing was
   *                      written and the caller retries the same batch
   */
  default WriteResult write(WarehouseBatch batch) throws SQLException {
    return write(batch, null);
  }

  /** As {@link #write(WarehouseBatch)}, calling {@code beforeCommit} (if not null) before the commit. */
  WriteResult write(WarehouseBatch batch, BeforeCommit beforeCommit) throws SQLException;

  /**
   * Settles a page of replayed quarantine rows in one transaction: writes the events that now
   * pass (deduplicated, so a replay run twice writes nothing twice), removes their rows and the
   * rows of dropped events, and stores the new reason of the rows that still fail.
   */
  QuarantineResolution.Result resolveQuarantine(QuarantineResolution resolution) throws SQLException;

  /**
   * The newest events first (by received_at, then log position). JSON columns come back as
   * parsed JSON, timestamps as ISO-8601 UTC strings.
   *
   * @param type  only this type, or null for all
   * @param event only this track event name, or null for all
   */
  List<Map<String, Object>> recentEvents(int limit, String type, String event) throws SQLException;

  /** The newest quarantined records first, with their reason. */
  List<Map<String, Object>> recentQuarantine(int limit) throws SQLException;

  /** How many quarantine rows match the filter. */
  long countQuarantine(QuarantineFilter filter) throws SQLException;

  /**
   * The next quarantine rows matching the filter, oldest first, after the given row (by
   * received_at, then id): a replay pages through the table this way while it deletes and
   * updates the rows it has passed.
   *
   * @param after the last row of the previous page, or null to start at the oldest
   */
  List<QuarantineRow> quarantinePage(QuarantineFilter filter, QuarantineRow after, int limit) throws SQLException;

  /** The ids whose events are not stored; shared with the pipeline's suppression step. */
  Suppressions suppressions();

  /**
   * Erases a person and suppresses their ids (see {@link PersonDeletion}); give exactly one of
   * the two ids. Safe to run while workers write, and safe to repeat.
   *
   * @param actor who asked, for the audit entry
   */
  DeletionResult deletePerson(String userId, String anonymousId, String actor)
      throws SQLException, InterruptedException;

  /** The privacy audit, newest entry first. */
  List<Map<String, Object>> privacyAudit(int limit) throws SQLException;

  /**
   * The latest session of every visitor active within {@code window} before the newest event
   * the warehouse holds (not before now: after downtime the log still holds the events that
   * continue those sessions).
   */
  List<SessionSnapshot> recentSessions(Duration window) throws SQLException;

  /**
   * The highest session number of the most recently active visitors (up to {@code limit}, looking
   * back at most {@code lookBack} from the newest event), newest last.
   */
  void sessionCounts(Duration lookBack, int limit, BiConsumer<String, Integer> sink) throws SQLException;

  /**
   * A writer is starting on these log partitions, which another node may have written until now:
   * a warehouse shared by several nodes learns the ids stored for them lately, so that a client's
   * retry of an event the other node stored is still recognised as one. A warehouse with a single
   * writer has nothing to learn.
   */
  default void writingPartitions(java.util.Set<Integer> partitions) throws SQLException {
  }

  /** The committed log positions (next offset to read, per partition) of a consumer. */
  Map<Integer, Long> positions(String consumer) throws SQLException;

  long countEvents() throws SQLException;

  /** Null when healthy, otherwise what is wrong, for /readyz. */
  String check();

  /**
   * Another connection to the warehouse database, for a component with its own table (the dead
   * letters). Its SQL must run on DuckDB and PostgreSQL alike.
   */
  java.sql.Connection newConnection() throws SQLException;

  /**
   * Closes every connection; writes still running fail and their callers keep the batch in the
   * log. Stop the writers first for a clean shutdown.
   */
  @Override
  void close();
}
