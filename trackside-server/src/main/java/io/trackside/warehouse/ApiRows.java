package io.trackside.warehouse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rows as the operator API shows them, the same from DuckDB and PostgreSQL: JSON columns parsed,
 * timestamps (UTC instants) as ISO-8601 text, everything else as the driver gives it.
 */
final class ApiRows {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ApiRows() {
  }

  static List<Map<String, Object>> read(PreparedStatement ps) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData meta = rs.getMetaData();
      int columns = meta.getColumnCount();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 1; c <= columns; c++) {
          row.put(meta.getColumnLabel(c), value(rs, c, meta.getColumnTypeName(c)));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      ps.setObject(i + 1, params.get(i));
    }
  }

  /** DuckDB names the types JSON and TIMESTAMP, PostgreSQL json and timestamp. */
  private static Object value(ResultSet rs, int column, String type) throws SQLException {
    switch (type.toLowerCase(Locale.ROOT)) {
      case "json": {
        String text = rs.getString(column);
        try {
          return text == null ? null : JSON.readTree(text);
        } catch (JsonProcessingException e) {
          return text; // stored by something else than Trackside; show it as it is
        }
      }
      case "timestamp": {
        LocalDateTime utc = rs.getObject(column, LocalDateTime.class);
        return utc == null ? null : utc.toInstant(ZoneOffset.UTC).toString();
      }
      default:
        return rs.getObject(column);
    }
  }
}
