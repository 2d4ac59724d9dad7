package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Funnels an operator saved, in the warehouse table {@code saved_funnels}. The definition is
 * kept as the JSON the API accepted (steps, window, breakdown), already validated, so that the
 * dashboard gets back exactly what it sent.
 */
public final class SavedFunnels {
  /** Enough for any dashboard; a bound so that a script cannot fill the table. */
  public static final int MAX_SAVED = 1_000;

  public record SavedFunnel(String id, String name, String definition, Instant createdAt) {
  }

  private SavedFunnels() {
  }

  /** Idempotent: safe on every start. */
  public static void create(Connection conn) throws SQLException {
    try (Statement s = conn.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS saved_funnels (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL,"
          + " definition JSON NOT NULL, created_at TIMESTAMP NOT NULL)");
      s.execute("COMMENT ON TABLE saved_funnels IS 'funnels saved from the dashboard: name and definition"
          + " (steps, window, breakdown) as the API accepted it; created_at is a UTC instant'");
    }
  }

  public static List<SavedFunnel> list(Connection conn) throws SQLException {
    List<SavedFunnel> out = new ArrayList<>();
    try (Statement s = conn.createStatement();
         ResultSet rs = s.executeQuery("SELECT id, name, CAST(definition AS VARCHAR), epoch_us(created_at)"
             + " FROM saved_funnels ORDER BY created_at, id")) {
      while (rs.next()) {
        out.add(new SavedFunnel(rs.getString(1), rs.getString(2), rs.getString(3),
            Instant.EPOCH.plusNanos(rs.getLong(4) * 1_000)));
      }
    }
    return out;
  }

  /** @return the new funnel's id, or null when {@link #MAX_SAVED} are saved already */
  public static String save(Connection conn, String name, String definition, Instant now) throws SQLException {
    try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM saved_funnels")) {
      rs.next();
      if (rs.getLong(1) >= MAX_SAVED) {
        return null;
      }
    }
    String id = UUID.randomUUID().toString();
    try (PreparedStatement ps = conn.prepareStatement(
        "INSERT INTO saved_funnels VALUES (?, ?, CAST(? AS JSON), make_timestamp(?))")) {
      ps.setString(1, id);
      ps.setString(2, name);
      ps.setString(3, definition);
      ps.setLong(4, StatsScope.utc(now));
      ps.executeUpdate();
    }
    return id;
  }

  /** @return whether a funnel with that id was there */
  public static boolean delete(Connection conn, String id) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM saved_funnels WHERE id = ?")) {
      ps.setString(1, id);
      return ps.executeUpdate() > 0;
    }
  }
}
