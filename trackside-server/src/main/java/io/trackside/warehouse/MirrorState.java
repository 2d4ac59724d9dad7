package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * How far a mirror has copied, as a PostgreSQL snapshot cursor: every transaction with an xid
 * below {@code low} has been copied, and of those from {@code low} on, the ones in {@code seen}.
 * Stored in the local DuckDB (table {@code mirror_state}) in the same transaction as the rows it
 * covers, so a restart resumes exactly where the last committed poll ended.
 *
 * <p>xid8 values are 64-bit and grow from 3 (epoch · 2^32 + xid); a long holds them for as long as
 * any server will run.
 */
record MirrorState(long low, Set<Long> seen) {
  /** Nothing copied yet: the next poll is a full copy. */
  static final MirrorState EMPTY = new MirrorState(0, Set.of());

  static void createTable(Connection duck) throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS mirror_state (low BIGINT NOT NULL, seen VARCHAR NOT NULL)");
      s.execute("COMMENT ON TABLE mirror_state IS 'this file is a copy of a shared PostgreSQL warehouse: every"
          + " PostgreSQL transaction with an xid below low, and those listed in seen, are copied (WarehouseMirror)'");
    }
  }

  /** The stored state, or null when this file has never been a mirror. */
  static MirrorState load(Connection duck) throws SQLException {
    try (Statement s = duck.createStatement(); ResultSet rs = s.executeQuery("SELECT low, seen FROM mirror_state")) {
      if (!rs.next()) {
        return null;
      }
      String seen = rs.getString(2);
      Set<Long> xids = seen.isEmpty() ? Set.of()
          : Arrays.stream(seen.split(" ")).map(Long::parseLong).collect(Collectors.toCollection(TreeSet::new));
      return new MirrorState(rs.getLong(1), xids);
    }
  }

  /** Replaces the stored state; run it in the transaction that applied the rows. */
  void save(Connection duck) throws SQLException {
    try (Statement s = duck.createStatement()) {
      s.execute("DELETE FROM mirror_state");
    }
    try (PreparedStatement ps = duck.prepareStatement("INSERT INTO mirror_state VALUES (?, ?)")) {
      ps.setLong(1, low);
      ps.setString(2, seenText());
      ps.executeUpdate();
    }
  }

  /** {@code seen} as a PostgreSQL array literal of xid8, e.g. {@code {1205,1207}}. */
  String seenArray() {
    return "{" + seenText().replace(' ', ',') + "}";
  }

  private String seenText() {
    return seen.stream().sorted().map(String::valueOf).collect(Collectors.joining(" "));
  }
}
