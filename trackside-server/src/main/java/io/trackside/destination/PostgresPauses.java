package io.trackside.destination;

import io.trackside.cluster.PartitionLeases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * The cluster's pauses: a row of {@code destination_pauses} per destination paused through the
 * API, in the shared PostgreSQL. Every node polls it, so a pause through one dashboard stops the
 * destination on every node within about a second. One connection of its own, opened again after
 * it broke.
 */
final class PostgresPauses implements PauseSwitch.Store {
  private final PartitionLeases.Connector connector;
  private final String nodeId;
  private Connection conn;

  PostgresPauses(PartitionLeases.Connector connector, String nodeId) {
    this.connector = connector;
    this.nodeId = nodeId;
  }

  @Override
  public synchronized Set<String> paused() throws SQLException {
    return withConnection(c -> {
      Set<String> ids = new HashSet<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT destination FROM destination_pauses")) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    });
  }

  @Override
  public synchronized void pause(String id) throws SQLException {
    withConnection(c -> {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO destination_pauses (destination, paused_at, paused_by)"
          + " VALUES (?, now(), ?) ON CONFLICT (destination) DO NOTHING")) {
        s.setString(1, id);
        s.setString(2, nodeId);
        return s.executeUpdate();
      }
    });
  }

  @Override
  public synchronized void resume(String id) throws SQLException {
    withConnection(c -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM destination_pauses WHERE destination = ?")) {
        s.setString(1, id);
        return s.executeUpdate();
      }
    });
  }

  @Override
  public boolean shared() {
    return true;
  }

  synchronized void close() {
    if (conn != null) {
      try {
        conn.close();
      } catch (SQLException ignored) {
        // closing
      }
      conn = null;
    }
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T withConnection(Work<T> work) throws SQLException {
    if (conn == null) {
      Connection c = connector.connect();
      try (Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        // CREATE ... IF NOT EXISTS is not atomic in PostgreSQL; nodes starting together take turns.
        s.execute("SELECT pg_advisory_xact_lock(7226410930512345003)");
        s.execute("CREATE TABLE IF NOT EXISTS destination_pauses (destination text PRIMARY KEY,"
            + " paused_at timestamptz NOT NULL, paused_by text NOT NULL)");
        c.commit();
        c.setAutoCommit(true);
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      conn = c;
    }
    try {
      return work.run(conn);
    } catch (SQLException e) {
      close(); // reconnect on the next call
      throw e;
    }
  }
}
