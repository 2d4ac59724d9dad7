package io.trackside.warehouse;

import io.trackside.core.Event;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The identity links a batch shows — every event that carries both an anonymousId and a
 * userId, and every alias (previousId → userId) — deduplicated in memory and upserted into
 * {@code identities} in the batch's transaction: a link seen again only widens its
 * first_seen/last_seen.
 */
final class IdentityLinks {

  /** Rows per INSERT on PostgreSQL: few statements per batch, and a statement parsed quickly. */
  static final int ROWS_PER_STATEMENT = 200;

  /**
   * DuckDB: a connection's own (TEMP) table the links of a batch are appended to; never in the
   * database file. Times as epoch microseconds. Links are deduplicated in memory, so the upsert
   * below never meets the same key twice in one statement.
   */
  static final String STAGING = "identity_links_staging";
  static final String CREATE_STAGING = "CREATE TEMP TABLE IF NOT EXISTS " + STAGING
      + " (anonymous_id VARCHAR, user_id VARCHAR, first_seen BIGINT, last_seen BIGINT, source VARCHAR)";
  static final String UPSERT_STAGED = "INSERT INTO identities (anonymous_id, user_id, first_seen, last_seen, source)"
      + " SELECT anonymous_id, user_id, make_timestamp(first_seen), make_timestamp(last_seen), source FROM temp.main."
      + STAGING
      + " ON CONFLICT (anonymous_id, user_id) DO UPDATE SET"
      + " first_seen = least(identities.first_seen, excluded.first_seen),"
      + " last_seen = greatest(identities.last_seen, excluded.last_seen)";
  static final String CLEAR_STAGED = "DELETE FROM temp.main." + STAGING;

  private static final class Link {
    final String anonymousId;
    final String userId;
    final String source;
    long first;
    long last;

    Link(String anonymousId, String userId, String source, long at) {
      this.anonymousId = anonymousId;
      this.userId = userId;
      this.source = source;
      this.first = at;
      this.last = at;
    }
  }

  private final Map<String, Link> links = new LinkedHashMap<>();

  void add(Event e) {
    String user = e.userId();
    if (user == null || user.isEmpty()) {
      return;
    }
    if (e.anonymousId() != null && !e.anonymousId().isEmpty()) {
      add(e.anonymousId(), user, e);
    }
    if ("alias".equals(e.type()) && e.previousId() != null && !e.previousId().isEmpty()) {
      add(e.previousId(), user, e);
    }
  }

  private void add(String anonymousId, String userId, Event e) {
    if (anonymousId.equals(userId)) {
      return; // a client that sends the user id as anonymous id links nothing
    }
    long at = micros(e.timestamp() != null ? e.timestamp() : e.receivedAt());
    Link link = links.computeIfAbsent(anonymousId + '\0' + userId,
        k -> new Link(anonymousId, userId, e.source(), at));
    link.first = Math.min(link.first, at);
    link.last = Math.max(link.last, at);
  }

  boolean isEmpty() {
    return links.isEmpty();
  }

  /**
   * The DuckDB form: the links go through the connection's staging table ({@link #STAGING}) by
   * Appender, then into {@code identities} in one statement prepared once per connection. Parsing
   * and binding an INSERT of 200 rows of parameters per chunk was a quarter of a batch's write.
   *
   * @param upsertStaged {@link #UPSERT_STAGED}, prepared on {@code conn}
   * @param clearStaged  {@link #CLEAR_STAGED}, prepared on {@code conn}
   */
  void upsert(DuckDBConnection conn, PreparedStatement upsertStaged, PreparedStatement clearStaged)
      throws SQLException {
    if (links.isEmpty()) {
      return;
    }
    try (DuckDBAppender appender = conn.createAppender("temp", DuckDBConnection.DEFAULT_SCHEMA, STAGING)) {
      for (Link link : links.values()) {
        appender.beginRow()
            .append(link.anonymousId)
            .append(link.userId)
            .append(link.first)
            .append(link.last)
            .append(link.source)
            .endRow();
      }
    }
    upsertStaged.executeUpdate();
    clearStaged.executeUpdate(); // in the same transaction: a rollback takes the staged rows too
  }

  /**
   * The PostgreSQL form: times bound as UTC LocalDateTimes, and {@code written_xid} set again
   * on an update so that dashboard mirrors copy the widened row. Links go in sorted order: two
   * transactions upserting overlapping links then lock the rows in the same order and wait for
   * each other instead of deadlocking.
   */
  void upsertPostgres(Connection conn) throws SQLException {
    if (links.isEmpty()) {
      return;
    }
    List<Link> all = new ArrayList<>(links.values());
    all.sort(java.util.Comparator.comparing((Link l) -> l.anonymousId).thenComparing(l -> l.userId));
    for (int from = 0; from < all.size(); from += ROWS_PER_STATEMENT) {
      List<Link> chunk = all.subList(from, Math.min(all.size(), from + ROWS_PER_STATEMENT));
      StringBuilder sql = new StringBuilder(
          "INSERT INTO identities (anonymous_id, user_id, first_seen, last_seen, source) VALUES ");
      for (int i = 0; i < chunk.size(); i++) {
        sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?)");
      }
      sql.append(" ON CONFLICT (anonymous_id, user_id) DO UPDATE SET")
          .append(" first_seen = least(identities.first_seen, excluded.first_seen),")
          .append(" last_seen = greatest(identities.last_seen, excluded.last_seen),")
          .append(" written_xid = pg_current_xact_id()");
      try (PreparedStatement ps = conn.prepareStatement(sql.toString())) {
        int p = 1;
        for (Link link : chunk) {
          ps.setString(p++, link.anonymousId);
          ps.setString(p++, link.userId);
          ps.setObject(p++, utc(link.first));
          ps.setObject(p++, utc(link.last));
          ps.setString(p++, link.source);
        }
        ps.executeUpdate();
      }
    }
  }

  private static java.time.LocalDateTime utc(long micros) {
    return java.time.LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1_000, java.time.ZoneOffset.UTC);
  }

  /** Epoch microseconds; the event's row was appended, so its time fits. */
  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }
}
