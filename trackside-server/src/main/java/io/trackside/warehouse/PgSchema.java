package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The PostgreSQL warehouse's tables: the same names and columns as the DuckDB ones
 * ({@link Schema}, {@link PeopleSchema}), so that every query an operator writes against one works
 * on the other, plus what sharing one database among many nodes needs.
 *
 * <ul>
 *   <li>{@code events} is partitioned by day of {@code received_at} (the server's clock, so writes
 *       go to today's partition and old days can be dropped whole); {@link #partitionDdl}
 *       creates a day's partition before the first write to it.</li>
 *   <li>JSON columns are {@code json}, not {@code jsonb}: the text is kept as sent, so an answer
 *       read from PostgreSQL is byte for byte the one DuckDB gives.</li>
 *   <li>Every table a dashboard node mirrors into its local DuckDB ({@code events},
 *       {@code quarantine}, {@code identities}) has {@code written_xid}: the transaction that
 *       wrote the row (set again by every UPDATE), and every DELETE from them is also recorded
 *       in {@code mirror_deletes} in the same transaction. A mirror copies what was written by
 *       transactions it has not seen yet — see {@code WarehouseMirror}.</li>
 * </ul>
 */
final class PgSchema {
  /** The tables a mirror copies, with the columns that identify a row for an update or a delete. */
  static final List<String> MIRRORED = List.of("events", "quarantine", "identities");

  private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
  private static final String WRITTEN_XID = "written_xid xid8 NOT NULL DEFAULT pg_current_xact_id()";

  private PgSchema() {
  }

  /** Idempotent: safe on every start, and when several nodes start at once. */
  static void create(Connection conn) throws SQLException {
    boolean autoCommit = conn.getAutoCommit();
    conn.setAutoCommit(false);
    try (Statement s = conn.createStatement()) {
      // Two nodes starting together would otherwise race on CREATE ... IF NOT EXISTS (which is not
      // atomic in PostgreSQL); the lock is the transaction's and goes with its commit.
      s.execute("SELECT pg_advisory_xact_lock(7226410930512345001)");
      s.execute("CREATE TABLE IF NOT EXISTS events (" + columns(Schema.EVENTS) + ", " + WRITTEN_XID + ")"
          + " PARTITION BY RANGE (received_at)");
      s.execute("CREATE INDEX IF NOT EXISTS events_written_xid ON events (written_xid)");
      s.execute("CREATE INDEX IF NOT EXISTS events_message_id ON events (source, message_id)");
      // The newest events first: the dedupe window's reload at start, recentEvents, the sessions' look-back.
      s.execute("CREATE INDEX IF NOT EXISTS events_received_at ON events (received_at)");
      s.execute("CREATE INDEX IF NOT EXISTS events_user_id ON events (user_id)");
      s.execute("CREATE INDEX IF NOT EXISTS events_anonymous_id ON events (anonymous_id)");
      // A person's deletion matches previous_id too; only aliases have one, so the index is small.
      s.execute("CREATE INDEX IF NOT EXISTS events_previous_id ON events (previous_id) WHERE previous_id IS NOT NULL");
      s.execute("CREATE TABLE IF NOT EXISTS quarantine (" + columns(Schema.QUARANTINE) + ", " + WRITTEN_XID + ")");
      s.execute("CREATE INDEX IF NOT EXISTS quarantine_written_xid ON quarantine (written_xid)");
      s.execute("CREATE UNIQUE INDEX IF NOT EXISTS quarantine_id ON quarantine (id)");
      s.execute("CREATE TABLE IF NOT EXISTS identities (anonymous_id text NOT NULL, user_id text NOT NULL,"
          + " first_seen timestamp NOT NULL, last_seen timestamp NOT NULL, source text, " + WRITTEN_XID + ","
          + " PRIMARY KEY (anonymous_id, user_id))");
      s.execute("CREATE INDEX IF NOT EXISTS identities_written_xid ON identities (written_xid)");
      s.execute("CREATE INDEX IF NOT EXISTS identities_user_id ON identities (user_id)");
      s.execute("CREATE TABLE IF NOT EXISTS mirror_deletes (" + WRITTEN_XID + ", table_name text NOT NULL,"
          + " key_column text NOT NULL, key_value text NOT NULL, deleted_at timestamptz NOT NULL DEFAULT now())");
      s.execute("CREATE INDEX IF NOT EXISTS mirror_deletes_written_xid ON mirror_deletes (written_xid)");
      s.execute("CREATE TABLE IF NOT EXISTS suppressions (id text PRIMARY KEY, kind text NOT NULL,"
          + " suppressed_at timestamp NOT NULL)");
      s.execute("CREATE SEQUENCE IF NOT EXISTS privacy_audit_id");
      s.execute("CREATE TABLE IF NOT EXISTS privacy_audit (id bigint PRIMARY KEY DEFAULT nextval('privacy_audit_id'),"
          + " requested_at timestamp NOT NULL, actor text NOT NULL, action text NOT NULL, request text,"
          + " user_ids json, anonymous_ids json, events_deleted bigint, quarantine_deleted bigint,"
          + " identities_deleted bigint)");
      s.execute("CREATE TABLE IF NOT EXISTS log_positions (consumer text NOT NULL, partition integer NOT NULL,"
          + " next_offset bigint NOT NULL, PRIMARY KEY (consumer, partition))");
      s.execute("CREATE SEQUENCE IF NOT EXISTS dead_letter_ids");
      s.execute("CREATE TABLE IF NOT EXISTS dead_letters (id bigint PRIMARY KEY DEFAULT nextval('dead_letter_ids'),"
          + " destination text NOT NULL, event_id text, message_id text, user_id text,"
          + " anonymous_id text, log_partition integer, log_offset bigint, event_time timestamptz,"
          + " dead_at timestamptz NOT NULL, reason text NOT NULL, detail text, status integer,"
          + " request text, response text, event text, replayed_at timestamptz)");
      comments(s);
      conn.commit();
    } catch (SQLException | RuntimeException e) {
      conn.rollback();
      throw e;
    } finally {
      conn.setAutoCommit(autoCommit);
    }
  }

  /** The partition of {@code events} holding the rows received on {@code day} (UTC). */
  static String partitionName(LocalDate day) {
    return "events_" + DAY.format(day);
  }

  /** Creates the day's partition if missing; run it in its own transaction before writing to that day. */
  static String partitionDdl(LocalDate day) {
    return "CREATE TABLE IF NOT EXISTS " + partitionName(day) + " PARTITION OF events FOR VALUES FROM ('"
        + day + "') TO ('" + day.plusDays(1) + "')";
  }

  private static String columns(List<Schema.Column> columns) {
    StringBuilder sql = new StringBuilder();
    for (Schema.Column c : columns) {
      sql.append(sql.isEmpty() ? "" : ", ").append(c.name()).append(' ').append(type(c.type()));
    }
    return sql.toString();
  }

  /** DuckDB's type names in the column lists, as PostgreSQL spells them. */
  static String type(String duckDbType) {
    return switch (duckDbType) {
      case "VARCHAR" -> "text";
      case "JSON" -> "json";
      case "TIMESTAMP" -> "timestamp";
      case "TIMESTAMPTZ" -> "timestamptz";
      case "INTEGER" -> "integer";
      case "BIGINT" -> "bigint";
      case "BOOLEAN" -> "boolean";
      default -> throw new IllegalArgumentException("no PostgreSQL type for " + duckDbType);
    };
  }

  private static void comments(Statement s) throws SQLException {
    s.execute("COMMENT ON TABLE events IS 'valid events, partitioned by day of received_at (UTC); written with COPY'");
    s.execute("COMMENT ON TABLE quarantine IS 'events that could not be accepted, with the reason'");
    s.execute("COMMENT ON TABLE log_positions IS"
        + " 'next event-log offset per consumer and partition, committed with the rows it covers'");
    s.execute("COMMENT ON TABLE mirror_deletes IS 'every row deleted from events, quarantine or identities"
        + " (DELETE FROM table_name WHERE key_column = key_value), so that dashboard nodes delete it from"
        + " their copies too'");
    s.execute("COMMENT ON COLUMN events.written_xid IS 'the transaction that wrote the row (for the mirrors)'");
    for (Schema.Column c : Schema.EVENTS) {
      if (c.comment() != null) {
        s.execute("COMMENT ON COLUMN events." + c.name() + " IS '" + c.comment().replace("'", "''") + "'");
      }
    }
  }
}
