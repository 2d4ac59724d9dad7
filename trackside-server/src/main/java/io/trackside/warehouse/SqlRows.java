package io.trackside.warehouse;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Runs a query with bound parameters and maps each row; the one place the stats queries touch JDBC. */
final class SqlRows {

  @FunctionalInterface
  interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private SqlRows() {
  }

  static <T> List<T> query(Connection conn, String sql, List<Object> params, Row<T> row) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      List<T> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(row.map(rs));
        }
      }
      return rows;
    }
  }

  /** A DECIMAL or DOUBLE column as a double, or null. */
  static Double doubleOf(ResultSet rs, String column) throws SQLException {
    Object value = rs.getObject(column);
    if (value == null) {
      return null;
    }
    return value instanceof BigDecimal d ? d.doubleValue() : ((Number) value).doubleValue();
  }

  /** An amount of money: two decimals, 0 when null. */
  static double money(ResultSet rs, String column) throws SQLException {
    Double value = doubleOf(rs, column);
    return value == null ? 0 : Math.round(value * 100) / 100.0;
  }

  /** A rate (fraction) rounded to four decimals, or null when there was nothing to divide. */
  static Double rate(ResultSet rs, String column) throws SQLException {
    Double value = doubleOf(rs, column);
    return value == null ? null : Math.round(value * 10_000) / 10_000.0;
  }
}
