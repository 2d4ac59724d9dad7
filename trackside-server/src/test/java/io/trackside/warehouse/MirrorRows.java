package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Every row of a mirrored table, in PostgreSQL or in DuckDB, as comparable values: timestamps as
 * epoch microseconds, JSON as its text, the rest as the driver gives it; sorted, so that two
 * copies of a table compare equal exactly when they hold the same rows (duplicates included).
 */
final class MirrorRows {
  private MirrorRows() {
  }

  static List<List<Object>> postgres(Connection pg, String table) throws SQLException {
    MirrorColumns columns = new MirrorColumns(MirrorColumns.of(table));
    List<List<Object>> rows = new ArrayList<>();
    try (Statement s = pg.createStatement();
         ResultSet rs = s.executeQuery("SELECT " + columns.selectList() + " FROM " + table)) {
      while (rs.next()) {
        rows.add(Arrays.asList(columns.read(rs)));
      }
    }
    return sorted(rows);
  }

  static List<List<Object>> duckDb(DuckDbWarehouse warehouse, String table) throws SQLException {
    List<Schema.Column> columns = MirrorColumns.of(table);
    StringBuilder select = new StringBuilder();
    for (Schema.Column c : columns) {
      String name = '"' + c.name() + '"';
      select.append(select.isEmpty() ? "" : ", ").append(switch (c.type()) {
        case "TIMESTAMP" -> "epoch_us(" + name + ")";
        case "JSON" -> "CAST(" + name + " AS VARCHAR)";
        default -> name;
      });
    }
    List<List<Object>> rows = new ArrayList<>();
    try (Connection conn = warehouse.newConnection(); Statement s = conn.createStatement();
         ResultSet rs = s.executeQuery("SELECT " + select + " FROM " + table)) {
      while (rs.next()) {
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
          String type = columns.get(i).type();
          Object v = switch (type) {
            case "TIMESTAMP", "BIGINT" -> rs.getLong(i + 1);
            case "INTEGER" -> rs.getInt(i + 1);
            case "BOOLEAN" -> rs.getBoolean(i + 1);
            default -> rs.getString(i + 1);
          };
          row[i] = rs.wasNull() ? null : v;
        }
        rows.add(Arrays.asList(row));
      }
    }
    return sorted(rows);
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    rows.sort(Comparator.comparing(Object::toString));
    return rows;
  }
}
