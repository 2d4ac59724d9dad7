package io.trackside.warehouse;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PersonDeletion} for PostgreSQL, where other nodes write too. Two transactions:
 * <ol>
 *   <li>take {@link PgWriteSession#DELETION_LOCK} exclusively, which waits for every write in
 *       flight on every node and holds new ones off; look up the linked ids (complete: no write
 *       can add a link meanwhile) and commit their suppression. Every write from then on reads
 *       it before filtering its batch, so no row or link of these ids can be written again;</li>
 *   <li>without the lock (writes on all nodes go on), delete the rows and write the audit entry.
 *       Should this fail, the ids stay suppressed and the deletion, safe to repeat, is run again.</li>
 * </ol>
 * The lock is thus held only for a few index look-ups, never for the deleting scans.
 *
 * <p>Every deleted row of a mirrored table is also recorded in {@code mirror_deletes} by the key
 * that matched it, so that dashboard nodes delete it from their copies.
 */
final class PgPersonDeletion {

  private static final Logger log = LoggerFactory.getLogger(PgPersonDeletion.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  /** An event the table could not hold is quarantined as its Java text: "userId=…, anonymousId=…". */
  private static final Pattern TEXT_IDS = Pattern.compile("(?:userId|anonymousId|previousId)=([^,\\]]*)");

  private final Connection conn;

  /** @param conn a connection of its own, closed by the caller */
  PgPersonDeletion(Connection conn) {
    this.conn = conn;
  }

  DeletionResult run(String userId, String anonymousId, String actor) throws SQLException {
    conn.setAutoCommit(false);
    try {
      DeletionResult result = delete(userId, anonymousId, actor);
      conn.commit();
      log.info("Privacy deletion #{} by {} for {}: {} events, {} quarantined records and {} identity links deleted",
          result.auditId(), actor, PersonDeletion.requestText(userId, anonymousId), result.events(), result.quarantine(),
          result.identities());
      return result;
    } catch (SQLException | RuntimeException e) {
      conn.rollback();
      throw e;
    }
  }

  private DeletionResult delete(String userId, String anonymousId, String actor) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      ps.setLong(1, PgWriteSession.DELETION_LOCK);
      ps.execute();
    }
    Set<String> userIds = new LinkedHashSet<>();
    Set<String> anonymousIds = new LinkedHashSet<>();
    if (userId != null) {
      userIds.add(userId);
      anonymousIds.addAll(strings("SELECT DISTINCT anonymous_id FROM identities WHERE user_id = ANY (?)"
          + " ORDER BY anonymous_id", userIds));
    } else {
      anonymousIds.add(anonymousId);
    }
    Set<String> ids = new LinkedHashSet<>(userIds);
    ids.addAll(anonymousIds);

    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO suppressions (id, kind, suppressed_at)"
        + " SELECT id, kind, now() AT TIME ZONE 'UTC' FROM unnest(?::text[], ?::text[]) AS s(id, kind)"
        + " ON CONFLICT (id) DO NOTHING")) {
      ps.setArray(1, array(ids));
      ps.setArray(2, array(ids.stream().map(id -> userIds.contains(id) ? "user_id" : "anonymous_id").toList()));
      ps.executeUpdate();
    }
    conn.commit(); // the suppressions hold from here on, and the lock goes

    long events = count("WITH d AS (DELETE FROM events WHERE user_id = ANY (?1) OR anonymous_id = ANY (?1)"
        + " OR previous_id = ANY (?1) RETURNING user_id, anonymous_id, previous_id),"
        + " m AS (INSERT INTO mirror_deletes (table_name, key_column, key_value)"
        + " SELECT DISTINCT 'events', k.col, k.val FROM d CROSS JOIN LATERAL (VALUES ('user_id', d.user_id),"
        + " ('anonymous_id', d.anonymous_id), ('previous_id', d.previous_id)) AS k(col, val) WHERE k.val = ANY (?1))"
        + " SELECT count(*) FROM d", ids);
    List<String> quarantineIds = quarantineRowsOf(ids);
    long quarantine = count("WITH d AS (DELETE FROM quarantine WHERE id = ANY (?1) RETURNING id),"
        + " m AS (INSERT INTO mirror_deletes (table_name, key_column, key_value) SELECT 'quarantine', 'id', id FROM d)"
        + " SELECT count(*) FROM d", quarantineIds);
    // Dead letters hold the whole event for replay: they go too (counted with the quarantine).
    quarantine += count("WITH d AS (DELETE FROM dead_letters WHERE user_id = ANY (?1) OR anonymous_id = ANY (?1)"
        + " RETURNING 1) SELECT count(*) FROM d", ids);
    long identities = count("WITH d AS (DELETE FROM identities WHERE user_id = ANY (?1) OR anonymous_id = ANY (?1)"
        + " RETURNING user_id, anonymous_id),"
        + " m AS (INSERT INTO mirror_deletes (table_name, key_column, key_value)"
        + " SELECT DISTINCT 'identities', k.col, k.val FROM d CROSS JOIN LATERAL (VALUES ('user_id', d.user_id),"
        + " ('anonymous_id', d.anonymous_id)) AS k(col, val) WHERE k.val = ANY (?1))"
        + " SELECT count(*) FROM d", ids);

    Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
    long auditId;
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO privacy_audit (requested_at, actor, action, request,"
        + " user_ids, anonymous_ids, events_deleted, quarantine_deleted, identities_deleted)"
        + " VALUES (?, ?, 'delete', ?, ?::json, ?::json, ?, ?, ?) RETURNING id")) {
      ps.setObject(1, LocalDateTime.ofInstant(at, ZoneOffset.UTC));
      ps.setString(2, actor);
      ps.setString(3, PersonDeletion.requestText(userId, anonymousId));
      ps.setString(4, PersonDeletion.json(userIds));
      ps.setString(5, PersonDeletion.json(anonymousIds));
      ps.setLong(6, events);
      ps.setLong(7, quarantine);
      ps.setLong(8, identities);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        auditId = rs.getLong(1);
      }
    }
    return new DeletionResult(auditId, at, List.copyOf(userIds), List.copyOf(anonymousIds), events, quarantine,
        identities);
  }

  /**
   * Ids of the quarantine rows whose payload names one of the ids, decided as
   * {@link PersonDeletion} decides it in SQL: a JSON payload by its userId, anonymousId and
   * previousId fields, any other text by "userId=…" (and so on) in it. The server narrows the
   * rows down to those mentioning an id at all; the exact match is made here, because
   * PostgreSQL 15 has no non-failing test of whether a text is JSON.
   */
  private List<String> quarantineRowsOf(Set<String> ids) throws SQLException {
    List<String> matching = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT id, payload FROM quarantine"
        + " WHERE EXISTS (SELECT 1 FROM unnest(?::text[]) AS i(v) WHERE strpos(payload, i.v) > 0)")) {
      ps.setArray(1, array(ids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (names(rs.getString(2), ids)) {
            matching.add(rs.getString(1));
          }
        }
      }
    }
    return matching;
  }

  static boolean names(String payload, Set<String> ids) {
    JsonNode root;
    try {
      root = JSON.readTree(payload);
    } catch (IOException notJson) {
      Matcher m = TEXT_IDS.matcher(payload);
      while (m.find()) {
        if (ids.contains(m.group(1))) {
          return true;
        }
      }
      return false;
    }
    if (root == null || !root.isObject()) {
      return false;
    }
    for (String field : List.of("userId", "anonymousId", "previousId")) {
      JsonNode value = root.get(field);
      if (value != null && !value.isNull() && ids.contains(value.isValueNode() ? value.asText() : value.toString())) {
        return true;
      }
    }
    return false;
  }

  private List<String> strings(String sql, Collection<String> values) throws SQLException {
    List<String> found = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setArray(1, array(values));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(rs.getString(1));
        }
      }
    }
    return found;
  }

  /** Runs a statement whose one parameter, {@code ?1} wherever it is used, is the text array. */
  private long count(String sql, Collection<String> values) throws SQLException {
    if (values.isEmpty()) {
      return 0;
    }
    // JDBC numbers every placeholder; the SQL above says ?1 for readability and binds the one array to each.
    int uses = sql.split("\\?1", -1).length - 1;
    try (PreparedStatement ps = conn.prepareStatement(sql.replace("?1", "?"))) {
      for (int i = 1; i <= uses; i++) {
        ps.setArray(i, array(values));
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private java.sql.Array array(Collection<String> values) throws SQLException {
    return conn.createArrayOf("text", values.toArray());
  }


}
