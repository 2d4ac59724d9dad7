package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The warehouse tables. The column lists are the single source of truth for the DDL and for
 * the order in which {@link EventColumns} appends values (the Appender is positional).
 *
 * <p>All TIMESTAMP columns hold UTC instants (DuckDB's TIMESTAMP has no zone; we never store
 * local time). A site's time zone only shapes reports.
 */
final class Schema {

  record Column(String name, String type, String comment) {
    Column(String name, String type) {
      this(name, type, null);
    }
  }

  private static final String UTC = "UTC instant";

  static final List<Column> EVENTS = List.of(
      new Column("message_id", "VARCHAR", "client id of the event; (source, message_id) is deduplicated"),
      new Column("source", "VARCHAR"),
      new Column("type", "VARCHAR"),
      new Column("event", "VARCHAR"),
      new Column("name", "VARCHAR"),
      new Column("user_id", "VARCHAR"),
      new Column("anonymous_id", "VARCHAR"),
      new Column("group_id", "VARCHAR"),
      new Column("previous_id", "VARCHAR"),
      new Column("timestamp", "TIMESTAMP", UTC + ", corrected for client clock skew"),
      new Column("original_timestamp", "TIMESTAMP", UTC + ", as the client sent it"),
      new Column("sent_at", "TIMESTAMP", UTC + ", client clock when sent"),
      new Column("received_at", "TIMESTAMP", UTC + ", server clock on arrival"),
      new Column("page_url", "VARCHAR", "normalised; personal data in the query replaced"),
      new Column("page_host", "VARCHAR"),
      new Column("page_path", "VARCHAR"),
      new Column("page_referrer", "VARCHAR"),
      new Column("page_title", "VARCHAR"),
      new Column("page_search", "VARCHAR"),
      new Column("referrer_host", "VARCHAR"),
      new Column("channel", "VARCHAR", "direct, organic_search, paid_search, social, email, referral, internal, ..."),
      new Column("referrer_source", "VARCHAR", "google, facebook, newsletter, ... or the referrer's host"),
      new Column("utm_source", "VARCHAR"),
      new Column("utm_medium", "VARCHAR"),
      new Column("utm_campaign", "VARCHAR"),
      new Column("utm_term", "VARCHAR"),
      new Column("utm_content", "VARCHAR"),
      new Column("click_ids", "JSON", "advertising click ids from the landing URL (gclid, fbclid, ...)"),
      new Column("user_agent", "VARCHAR"),
      new Column("browser", "VARCHAR"),
      new Column("browser_version", "VARCHAR"),
      new Column("os", "VARCHAR"),
      new Column("os_version", "VARCHAR"),
      new Column("device_class", "VARCHAR", "desktop, phone, tablet, robot, ..."),
      new Column("is_bot", "BOOLEAN"),
      new Column("bot_reason", "VARCHAR", "user_agent, hosting_network, headless or behaviour"),
      new Column("country", "VARCHAR", "ISO 3166-1 alpha-2, looked up before the IP was truncated"),
      new Column("region", "VARCHAR"),
      new Column("city", "VARCHAR"),
      new Column("locale", "VARCHAR"),
      new Column("ip", "VARCHAR", "truncated: IPv4 to /24, IPv6 to /48, unless raw IPs are configured"),
      new Column("visitor_id", "VARCHAR", "anonymousId, else userId, else the cookieless daily id"),
      new Column("consent", "JSON", "granted purposes as a JSON array; null when no consent signal was sent"),
      new Column("session_id", "VARCHAR"),
      new Column("session_number", "INTEGER", "1 for the visitor's first session, 2 for the next, ..."),
      new Column("plan_violations", "JSON", "tracking-plan violations of an event let through flagged"),
      new Column("library_name", "VARCHAR"),
      new Column("library_version", "VARCHAR"),
      new Column("properties", "JSON"),
      new Column("traits", "JSON"),
      new Column("context", "JSON", "context as sent, except ip which is stored as the ip column is"),
      new Column("integrations", "JSON"),
      new Column("log_partition", "INTEGER"),
      new Column("log_offset", "BIGINT"));

  static final List<Column> QUARANTINE = List.of(
      new Column("received_at", "TIMESTAMP", UTC),
      new Column("source", "VARCHAR"),
      new Column("reason", "VARCHAR"),
      new Column("detail", "VARCHAR"),
      new Column("message_id", "VARCHAR"),
      new Column("payload", "VARCHAR", "the received JSON as text (invalid UTF-8 replaced by U+FFFD)"),
      new Column("log_partition", "INTEGER"),
      new Column("log_offset", "BIGINT"),
      // Added for replay; appended last so that ALTER TABLE ADD COLUMN upgrades older files.
      new Column("ip", "VARCHAR", "client address truncated (IPv4 /24, IPv6 /48), never the full one; for replay"),
      new Column("user_agent", "VARCHAR", "the request's User-Agent header; for replay"),
      new Column("id", "VARCHAR", "unique id of the row (a UUID); replay removes or updates rows by it"));

  /** Quarantine columns newer than the first version of the table, added to older files on start. */
  private static final List<String> QUARANTINE_ADDED = List.of("ip", "user_agent", "id");

  private Schema() {
  }

  /** Idempotent: safe on every start. */
  static void create(Connection conn) throws SQLException {
    try (Statement s = conn.createStatement()) {
      s.execute(createTable("events", EVENTS));
      s.execute(createTable("quarantine", QUARANTINE));
      upgradeQuarantine(s);
      s.execute("CREATE TABLE IF NOT EXISTS log_positions (consumer VARCHAR NOT NULL, partition INTEGER NOT NULL,"
          + " next_offset BIGINT NOT NULL, PRIMARY KEY (consumer, partition))");
      s.execute("CREATE SEQUENCE IF NOT EXISTS dead_letter_ids");
      s.execute("CREATE TABLE IF NOT EXISTS dead_letters (id BIGINT PRIMARY KEY DEFAULT nextval('dead_letter_ids'),"
          + " destination VARCHAR NOT NULL, event_id VARCHAR, message_id VARCHAR, user_id VARCHAR,"
          + " anonymous_id VARCHAR, log_partition INTEGER, log_offset BIGINT, event_time TIMESTAMPTZ,"
          + " dead_at TIMESTAMPTZ NOT NULL, reason VARCHAR NOT NULL, detail VARCHAR, status INTEGER,"
          + " request VARCHAR, response VARCHAR, event VARCHAR, replayed_at TIMESTAMPTZ)");
      s.execute("COMMENT ON TABLE dead_letters IS 'events a destination gave up on: reason, request, answer and"
          + " the event itself, for replay'");
      verify(conn, "events", EVENTS);
      verify(conn, "quarantine", QUARANTINE);
      s.execute("COMMENT ON TABLE events IS 'valid events; written by the warehouse worker with the Appender'");
      s.execute("COMMENT ON TABLE quarantine IS 'events that could not be accepted, with the reason'");
      s.execute("COMMENT ON TABLE log_positions IS"
          + " 'next event-log offset per consumer and partition, committed with the rows it covers'");
      comment(s, "events", EVENTS);
      comment(s, "quarantine", QUARANTINE);
    }
    PeopleSchema.create(conn);
  }

  /** Adds the replay columns to a quarantine table written by an older version, and ids to its rows. */
  private static void upgradeQuarantine(Statement s) throws SQLException {
    for (Column c : QUARANTINE) {
      if (QUARANTINE_ADDED.contains(c.name())) {
        s.execute("ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS " + c.name() + " " + c.type());
      }
    }
    s.execute("UPDATE quarantine SET id = CAST(uuid() AS VARCHAR) WHERE id IS NULL");
  }

  private static String createTable(String table, List<Column> columns) {
    StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table).append(" (");
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      sql.append(i == 0 ? "" : ", ").append(c.name()).append(' ').append(c.type());
    }
    return sql.append(')').toString();
  }

  private static void comment(Statement s, String table, List<Column> columns) throws SQLException {
    for (Column c : columns) {
      if (c.comment() != null) {
        // Constant text from this class, not user input: no injection possible.
        s.execute("COMMENT ON COLUMN " + table + "." + c.name() + " IS '" + c.comment().replace("'", "''") + "'");
      }
    }
  }

  /**
   * The Appender writes by position, so a table created by another version with other columns
   * would silently shift values. Fail at start-up instead, naming the difference.
   */
  private static void verify(Connection conn, String table, List<Column> expected) throws SQLException {
    List<String> actual = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ?"
            + " ORDER BY column_index")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          actual.add(rs.getString(1) + " " + rs.getString(2));
        }
      }
    }
    List<String> wanted = expected.stream().map(c -> c.name() + " " + c.type()).toList();
    if (!actual.equals(wanted)) {
      throw new IllegalStateException("table " + table + " has columns " + actual + " but this version expects "
          + wanted + "; migrate or move the database file aside");
    }
  }
}
