package io.trackside.warehouse;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Ad-hoc SQL against a running warehouse (DuckDB or PostgreSQL), for assertions on tables and views. */
public final class Sql {

  private Sql() {
  }

  public static List<Map<String, Object>> rows(Warehouse warehouse, String sql, Object... params)
      throws SQLException {
    try (java.sql.Connection conn = warehouse.newConnection(); PreparedStatement ps = conn.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData meta = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int c = 1; c <= meta.getColumnCount(); c++) {
            Object value = rs.getObject(c);
            row.put(meta.getColumnLabel(c), value instanceof java.math.BigDecimal d ? d.stripTrailingZeros() : value);
          }
          rows.add(row);
        }
      }
      return rows;
    }
  }

  /** The single value of a one-row, one-column query. */
  public static Object value(Warehouse warehouse, String sql, Object... params) throws SQLException {
    List<Map<String, Object>> rows = rows(warehouse, sql, params);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new AssertionError(sql + " gave " + rows);
    }
    return rows.get(0).values().iterator().next();
  }

  public static long count(Warehouse warehouse, String sql, Object... params) throws SQLException {
    return ((Number) value(warehouse, sql, params)).longValue();
  }
}
