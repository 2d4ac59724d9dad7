package io.trackside.warehouse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erases one person (GDPR art. 17, CCPA): their events, quarantined records and identity links,
 * and suppresses their ids so that nothing of them is stored again. In this order:
 * <ol>
 *   <li>find the ids: the user id and every anonymous id (or alias previousId) linked to it in
 *       {@code identities}; or just the anonymous id asked for;</li>
 *   <li>persist the suppression of those ids, then add them to the in-memory list every worker
 *       checks;</li>
 *   <li>wait for writes in flight, which may have checked the list before (see
 *       {@link Suppressions}); look for links once more (a batch in flight may have brought
 *       one) and repeat from 2 for any new id;</li>
 *   <li>delete from events, quarantine and identities, and record the audit entry, in one
 *       transaction — retried on a conflict with a concurrent write.</li>
 * </ol>
 * Deliberately one hop: erasing a user takes the anonymous ids linked to it, but not the other
 * users those anonymous ids are linked to — on a shared computer that would erase someone else.
 */
final class PersonDeletion {

  private static final Logger log = LoggerFactory.getLogger(PersonDeletion.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ROUNDS = 5;
  private static final long BARRIER_SECONDS = 60;

  private final DuckDBConnection conn;
  private final Suppressions suppressions;
  private final Lock identityLock;

  /**
   * @param conn         a connection of its own, closed by the caller
   * @param identityLock the writers' lock for identity upserts: held through the deleting
   *                     transaction, no link can be committed under its feet
   */
  PersonDeletion(DuckDBConnection conn, Suppressions suppressions, Lock identityLock) {
    this.conn = conn;
    this.suppressions = suppressions;
    this.identityLock = identityLock;
  }

  DeletionResult run(String userId, String anonymousId, String actor) throws SQLException, InterruptedException {
    Set<String> userIds = new LinkedHashSet<>();
    Set<String> anonymousIds = new LinkedHashSet<>();
    if (userId != null) {
      userIds.add(userId);
    }
    if (anonymousId != null) {
      anonymousIds.add(anonymousId);
    }
    Set<String> suppressed = new LinkedHashSet<>();
    for (int round = 1; ; round++) {
      if (userId != null) {
        anonymousIds.addAll(linkedAnonymousIds(userIds));
      }
      Set<String> fresh = new LinkedHashSet<>();
      userIds.stream().filter(id -> !suppressed.contains(id)).forEach(fresh::add);
      anonymousIds.stream().filter(id -> !suppressed.contains(id)).forEach(fresh::add);
      if (fresh.isEmpty()) {
        break;
      }
      if (round > MAX_ROUNDS) {
        throw new SQLException("new identity links of " + userIds + " keep appearing; try again");
      }
      persistSuppressions(fresh, userIds);
      suppressions.addAll(fresh);
      suppressed.addAll(fresh);
      if (!suppressions.awaitWritesInFlight(BARRIER_SECONDS, TimeUnit.SECONDS)) {
        throw new SQLException("warehouse writes in flight did not finish within " + BARRIER_SECONDS
            + " s; the ids are suppressed already, try the deletion again");
      }
    }
    List<String> ids = new ArrayList<>(suppressed);
    String request = requestText(userId, anonymousId);
    SQLException last = null;
    for (int attempt = 1; attempt <= DuckDbWarehouse.CONFLICT_ATTEMPTS; attempt++) {
      identityLock.lock();
      try {
        return delete(ids, userIds, anonymousIds, actor, request);
      } catch (SQLException e) {
        rollbackQuietly();
        if (!DuckDbWarehouse.isConflict(e)) {
          throw e;
        }
        last = e;
        log.debug("Deletion conflicted with a concurrent write (attempt {}): {}", attempt, e.getMessage());
      } finally {
        identityLock.unlock();
      }
      Thread.sleep(50L * attempt);
    }
    throw last;
  }

  private Set<String> linkedAnonymousIds(Collection<String> userIds) throws SQLException {
    Set<String> linked = new LinkedHashSet<>();
    try (PreparedStatement ps = conn.prepareStatement(
        "SELECT DISTINCT anonymous_id FROM identities WHERE user_id IN (" + placeholders(userIds.size()) + ")")) {
      bind(ps, 1, userIds);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          linked.add(rs.getString(1));
        }
      }
    }
    commitReads();
    return linked;
  }

  private void persistSuppressions(Set<String> ids, Set<String> userIds) throws SQLException {
    SQLException last = null;
    for (int attempt = 1; attempt <= DuckDbWarehouse.CONFLICT_ATTEMPTS; attempt++) {
      try (PreparedStatement ps = conn.prepareStatement("INSERT INTO suppressions (id, kind, suppressed_at)"
          + " VALUES (?, ?, now()) ON CONFLICT (id) DO NOTHING")) {
        for (String id : ids) {
          ps.setString(1, id);
          ps.setString(2, userIds.contains(id) ? "user_id" : "anonymous_id");
          ps.executeUpdate();
        }
        conn.commit();
        return;
      } catch (SQLException e) {
        rollbackQuietly();
        if (!DuckDbWarehouse.isConflict(e)) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  private DeletionResult delete(List<String> ids, Set<String> userIds, Set<String> anonymousIds, String actor,
                                String request) throws SQLException {
    String in = "(" + placeholders(ids.size()) + ")";
    long events;
    try (PreparedStatement ps = conn.prepareStatement(
        "DELETE FROM events WHERE user_id IN " + in + " OR anonymous_id IN " + in + " OR previous_id IN " + in)) {
      bind(ps, bind(ps, bind(ps, 1, ids), ids), ids);
      events = ps.executeUpdate();
    }
    long quarantine;
    // JSON payloads by their id fields; anything else (an event the table could not hold is kept
    // as its Java text, "userId=…, anonymousId=…") by those names.
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM quarantine WHERE CASE WHEN json_valid(payload)"
        + " THEN coalesce((payload->>'userId') IN " + in + " OR (payload->>'anonymousId') IN " + in
        + " OR (payload->>'previousId') IN " + in + ", false)"
        + " ELSE coalesce(list_has_any(regexp_extract_all(payload, '(?:userId|anonymousId|previousId)=([^,\\]]*)', 1),"
        + " [" + placeholders(ids.size()) + "]), false) END")) {
      bind(ps, bind(ps, bind(ps, bind(ps, 1, ids), ids), ids), ids);
      quarantine = ps.executeUpdate();
    }
    // Dead letters hold the whole event for replay: they go too (counted with the quarantine).
    try (PreparedStatement ps = conn.prepareStatement(
        "DELETE FROM dead_letters WHERE user_id IN " + in + " OR anonymous_id IN " + in)) {
      bind(ps, bind(ps, 1, ids), ids);
      quarantine += ps.executeUpdate();
    }
    long identities;
    try (PreparedStatement ps = conn.prepareStatement(
        "DELETE FROM identities WHERE user_id IN " + in + " OR anonymous_id IN " + in)) {
      bind(ps, bind(ps, 1, ids), ids);
      identities = ps.executeUpdate();
    }
    Instant at = Instant.now();
    long auditId;
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO privacy_audit (requested_at, actor, action, request,"
        + " user_ids, anonymous_ids, events_deleted, quarantine_deleted, identities_deleted)"
        + " VALUES (make_timestamp(CAST(? AS BIGINT)), ?, 'delete', ?, ?, ?, ?, ?, ?) RETURNING id")) {
      ps.setLong(1, at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000);
      ps.setString(2, actor);
      ps.setString(3, request);
      ps.setString(4, json(userIds));
      ps.setString(5, json(anonymousIds));
      ps.setLong(6, events);
      ps.setLong(7, quarantine);
      ps.setLong(8, identities);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        auditId = rs.getLong(1);
      }
    }
    conn.commit();
    log.info("Privacy deletion #{} by {} for {}: {} events, {} quarantined records and {} identity links deleted;"
        + " {} ids suppressed", auditId, actor, request, events, quarantine, identities, ids.size());
    return new DeletionResult(auditId, at, List.copyOf(userIds), List.copyOf(anonymousIds), events, quarantine,
        identities);
  }

  private void commitReads() throws SQLException {
    conn.commit(); // ends the read transaction, so the next statement sees what committed since
  }

  private void rollbackQuietly() {
    try {
      conn.rollback();
    } catch (SQLException ignored) {
      // the transaction is gone either way
    }
  }

  private static String placeholders(int n) {
    return String.join(", ", Collections.nCopies(Math.max(1, n), "?"));
  }

  /** @return the next parameter index */
  private static int bind(PreparedStatement ps, int from, Collection<String> values) throws SQLException {
    int i = from;
    if (values.isEmpty()) {
      ps.setString(i++, null);
    }
    for (String v : values) {
      ps.setString(i++, v);
    }
    return i;
  }

  /** The audit's request column: what was asked, as JSON. */
  static String requestText(String userId, String anonymousId) {
    Map<String, String> request = new LinkedHashMap<>();
    if (userId != null) {
      request.put("userId", userId);
    }
    if (anonymousId != null) {
      request.put("anonymousId", anonymousId);
    }
    return json(request);
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
