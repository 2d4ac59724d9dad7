package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The quarantine reads a replay pages through, in SQL that DuckDB and PostgreSQL run alike. The
 * caller passes its read connection and holds whatever lock guards it.
 */
final class QuarantineQueries {

  private QuarantineQueries() {
  }

  /** How many quarantine rows match the filter. */
  static long count(Connection reader, QuarantineFilter filter) throws SQLException {
    List<Object> params = new ArrayList<>();
    String where = where(filter, params);
    try (PreparedStatement ps = reader.prepareStatement("SELECT count(*) FROM quarantine WHERE " + where)) {
      ApiRows.bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** See {@link Warehouse#quarantinePage}. */
  static List<QuarantineRow> page(Connection reader, QuarantineFilter filter, QuarantineRow after, int limit)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT id, received_at, source, reason, detail, message_id, payload,"
        + " log_partition, log_offset, ip, user_agent FROM quarantine WHERE ").append(where(filter, params));
    if (after != null) {
      sql.append(" AND (received_at > ? OR (received_at = ? AND id > ?))");
      params.add(utc(after.receivedAt()));
      params.add(utc(after.receivedAt()));
      params.add(after.id());
    }
    sql.append(" ORDER BY received_at, id LIMIT ?");
    params.add(Math.max(0, limit));
    List<QuarantineRow> rows = new ArrayList<>();
    try (PreparedStatement ps = reader.prepareStatement(sql.toString())) {
      ApiRows.bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          LocalDateTime receivedAt = rs.getObject(2, LocalDateTime.class);
          rows.add(new QuarantineRow(rs.getString(1), receivedAt == null ? null : receivedAt.toInstant(ZoneOffset.UTC),
              rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8),
              rs.getLong(9), rs.getString(10), rs.getString(11)));
        }
      }
    }
    return rows;
  }

  private static String where(QuarantineFilter filter, List<Object> params) {
    StringBuilder where = new StringBuilder("received_at IS NOT NULL");
    if (filter.reason() != null) {
      where.append(" AND reason = ?");
      params.add(filter.reason());
    }
    if (filter.source() != null) {
      where.append(" AND source = ?");
      params.add(filter.source());
    }
    if (filter.since() != null) {
      where.append(" AND received_at >= ?");
      params.add(utc(filter.since()));
    }
    if (filter.until() != null) {
      where.append(" AND received_at < ?");
      params.add(utc(filter.until()));
    }
    return where.toString();
  }

  private static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

}
