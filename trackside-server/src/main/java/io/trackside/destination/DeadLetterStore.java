package io.trackside.destination;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code dead_letters} table of the warehouse (created with its schema): what every
 * destination gave up on, queryable next to the events, erased with a person, and replayable.
 * One connection, used under this object's lock — dead letters are rare, so no pool.
 */
public final class DeadLetterStore implements AutoCloseable {
  /** Request and answer texts are kept up to this many characters. */
  static final int MAX_TEXT = 64 * 1024;

  /** A stored dead letter with its row id. */
  public record Stored(long id, DeadLetter letter) {
  }

  private final Connection conn;

  public DeadLetterStore(Connection conn) {
    this.conn = conn;
  }

  public synchronized void add(List<DeadLetter> letters) throws SQLException {
    if (letters.isEmpty()) {
      return;
    }
    boolean auto = conn.getAutoCommit();
    conn.setAutoCommit(false);
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO dead_letters (destination, event_id, message_id,"
        + " user_id, anonymous_id, log_partition, log_offset, event_time, dead_at, reason, detail, status, request,"
        + " response, event) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      for (DeadLetter d : letters) {
        ps.setString(1, d.destination());
        ps.setString(2, d.eventId());
        ps.setString(3, d.messageId());
        ps.setString(4, d.userId());
        ps.setString(5, d.anonymousId());
        ps.setInt(6, d.logPartition());
        ps.setLong(7, d.logOffset());
        setInstant(ps, 8, d.eventTime());
        setInstant(ps, 9, d.deadAt());
        ps.setString(10, d.reason());
        ps.setString(11, cap(d.detail()));
        if (d.status() == null) {
          ps.setNull(12, Types.INTEGER);
        } else {
          ps.setInt(12, d.status());
        }
        ps.setString(13, cap(d.request()));
        ps.setString(14, cap(d.response()));
        ps.setString(15, d.event());
        ps.addBatch();
      }
      ps.executeBatch();
      conn.commit();
    } catch (SQLException | RuntimeException e) {
      conn.rollback();
      throw e;
    } finally {
      conn.setAutoCommit(auto);
    }
  }

  /** Dead letters of a destination not replayed yet, oldest first, after row id {@code afterId}. */
  public synchronized List<Stored> pending(String destination, long afterId, int limit) throws SQLException {
    List<Stored> rows = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT id, destination, event_id, message_id, user_id,"
        + " anonymous_id, log_partition, log_offset, event_time, dead_at, reason, detail, status, request, response,"
        + " event FROM dead_letters WHERE destination = ? AND replayed_at IS NULL AND id > ? ORDER BY id LIMIT ?")) {
      ps.setString(1, destination);
      ps.setLong(2, afterId);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int status = rs.getInt(13);
          Integer statusOrNull = rs.wasNull() ? null : status;
          rows.add(new Stored(rs.getLong(1), new DeadLetter(rs.getString(2), rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getString(6), rs.getInt(7), rs.getLong(8), instant(rs, 9), instant(rs, 10),
              rs.getString(11), rs.getString(12), statusOrNull, rs.getString(14), rs.getString(15),
              rs.getString(16))));
        }
      }
    }
    return rows;
  }

  /** Marks rows as replayed: a replay sent them again (delivered, or dead-lettered anew). */
  public synchronized void markReplayed(List<Long> ids, Instant at) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = conn.prepareStatement("UPDATE dead_letters SET replayed_at = ? WHERE id = ?")) {
      for (long id : ids) {
        setInstant(ps, 1, at);
        ps.setLong(2, id);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Pending (not replayed) dead letters of a destination by reason. */
  public synchronized Map<String, Long> pendingByReason(String destination) throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT reason, count(*) FROM dead_letters"
        + " WHERE destination = ? AND replayed_at IS NULL GROUP BY reason ORDER BY count(*) DESC, reason")) {
      ps.setString(1, destination);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return counts;
  }

  /** The newest dead letters of a destination, for the API (without the stored event). */
  public synchronized List<Map<String, Object>> recent(String destination, int limit) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT id, event_id, message_id, event_time, dead_at, reason,"
        + " detail, status, request, response, replayed_at FROM dead_letters WHERE destination = ?"
        + " ORDER BY id DESC LIMIT ?")) {
      ps.setString(1, destination);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("id", rs.getLong(1));
          row.put("eventId", rs.getString(2));
          row.put("messageId", rs.getString(3));
          row.put("eventTime", text(instant(rs, 4)));
          row.put("deadAt", text(instant(rs, 5)));
          row.put("reason", rs.getString(6));
          row.put("detail", rs.getString(7));
          int status = rs.getInt(8);
          row.put("status", rs.wasNull() ? null : status);
          row.put("request", rs.getString(9));
          row.put("response", rs.getString(10));
          row.put("replayedAt", text(instant(rs, 11)));
          rows.add(row);
        }
      }
    }
    return rows;
  }

  @Override
  public synchronized void close() {
    try {
      conn.close();
    } catch (SQLException ignored) {
      // closing: nothing to do about it
    }
  }

  private static String cap(String text) {
    return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…";
  }

  private static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, java.time.OffsetDateTime.ofInstant(value, java.time.ZoneOffset.UTC));
    }
  }

  private static Instant instant(ResultSet rs, int index) throws SQLException {
    Object value = rs.getObject(index);
    if (value == null) {
      return null;
    }
    if (value instanceof java.time.OffsetDateTime odt) {
      return odt.toInstant();
    }
    if (value instanceof Timestamp ts) {
      return ts.toInstant();
    }
    return java.time.OffsetDateTime.parse(value.toString().replace(' ', 'T')).toInstant();
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
