package io.trackside.warehouse;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.duckdb.DuckDBAppender;

/**
 * Copies rows of one mirrored table from PostgreSQL into a DuckDB Appender, column by column in
 * the DuckDB table's order (the Appender is positional). Timestamps travel as epoch microseconds
 * computed by PostgreSQL and JSON as its text, so neither the JVM's time zone nor a JSON parser
 * can change a value on the way.
 */
final class MirrorColumns {
  /** {@code identities} as {@link PeopleSchema} creates it (the one mirrored table without a column list). */
  static final List<Schema.Column> IDENTITIES = List.of(
      new Schema.Column("anonymous_id", "VARCHAR"),
      new Schema.Column("user_id", "VARCHAR"),
      new Schema.Column("first_seen", "TIMESTAMP"),
      new Schema.Column("last_seen", "TIMESTAMP"),
      new Schema.Column("source", "VARCHAR"));

  private final List<Schema.Column> columns;

  MirrorColumns(List<Schema.Column> columns) {
    this.columns = columns;
  }

  static List<Schema.Column> of(String table) {
    return switch (table) {
      case "events" -> Schema.EVENTS;
      case "quarantine" -> Schema.QUARANTINE;
      case "identities" -> IDENTITIES;
      default -> throw new IllegalArgumentException("not a mirrored table: " + table);
    };
  }

  int size() {
    return columns.size();
  }

  int indexOf(String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no column " + name);
  }

  /**
   * The PostgreSQL select list: the columns in order, then {@code written_xid} as text. Names are
   * this program's constants (quoted: {@code timestamp} is also a type name).
   */
  String selectList() {
    StringBuilder sql = new StringBuilder();
    for (Schema.Column c : columns) {
      String name = '"' + c.name() + '"';
      sql.append(sql.isEmpty() ? "" : ", ").append(switch (c.type()) {
        // exact: extract returns numeric; for a timestamp without zone it counts from 1970-01-01 00:00 as written
        case "TIMESTAMP" -> "CAST(extract(epoch FROM " + name + ") * 1000000 AS bigint)";
        case "JSON" -> "CAST(" + name + " AS text)";
        default -> name;
      });
    }
    return sql.append(", CAST(written_xid AS text)").toString();
  }

  /** The current row's values (timestamps as epoch-µs Longs); its written_xid is {@link #xid}. */
  Object[] read(ResultSet rs) throws SQLException {
    Object[] values = new Object[columns.size()];
    for (int i = 0; i < values.length; i++) {
      int at = i + 1;
      Object v = switch (columns.get(i).type()) {
        case "TIMESTAMP", "BIGINT" -> rs.getLong(at);
        case "INTEGER" -> rs.getInt(at);
        case "BOOLEAN" -> rs.getBoolean(at);
        case "VARCHAR", "JSON" -> rs.getString(at);
        default -> throw new IllegalStateException("no mirroring for type " + columns.get(i).type());
      };
      values[i] = rs.wasNull() ? null : v;
    }
    return values;
  }

  long xid(ResultSet rs) throws SQLException {
    return Long.parseLong(rs.getString(columns.size() + 1));
  }

  void append(DuckDBAppender appender, Object[] values) throws SQLException {
    appender.beginRow();
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v == null) {
        appender.appendNull();
      } else if (columns.get(i).type().equals("TIMESTAMP")) {
        appender.appendEpochMicros((Long) v);
      } else if (v instanceof String text) {
        appender.append(text);
      } else if (v instanceof Boolean b) {
        appender.append(b.booleanValue());
      } else if (v instanceof Integer n) {
        appender.append(n.intValue());
      } else {
        appender.append(((Long) v).longValue());
      }
    }
    appender.endRow();
  }
}
