package io.trackside.dashboard;

import io.trackside.warehouse.DuckDbWarehouse;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The insight queries' own read connections, so that a slow funnel never waits behind the
 * warehouse's single synchronized reader (and never holds it up). Idle connections are kept up
 * to {@link #MAX_IDLE}; more are opened when more queries run at once (a DuckDB connection to
 * an open database costs microseconds). DuckDB runs each query on all cores anyway, so more
 * parallel connections would not make queries faster.
 *
 * <p>Must be closed before the warehouse: an open connection keeps the database file open.
 */
final class InsightsConnections implements AutoCloseable {
  static final int MAX_IDLE = 2;

  private final DuckDbWarehouse warehouse;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  InsightsConnections(DuckDbWarehouse warehouse) {
    this.warehouse = warehouse;
  }

  interface Query<T> {
    T run(Connection conn) throws SQLException;
  }

  <T> T with(Query<T> query) throws SQLException {
    Connection conn;
    synchronized (this) {
      if (closed) {
        throw new SQLException("the warehouse is closing");
      }
      conn = idle.pollFirst();
    }
    if (conn == null) {
      conn = warehouse.newConnection();
    }
    boolean healthy = false;
    try {
      T result = query.run(conn);
      healthy = true;
      return result;
    } finally {
      giveBack(conn, healthy);
    }
  }

  private void giveBack(Connection conn, boolean healthy) {
    synchronized (this) {
      if (healthy && !closed && idle.size() < MAX_IDLE) {
        idle.addFirst(conn);
        return;
      }
    }
    closeQuietly(conn);
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      idle.forEach(InsightsConnections::closeQuietly);
      idle.clear();
    }
  }

  private static void closeQuietly(Connection conn) {
    try {
      conn.close();
    } catch (SQLException ignored) {
      // closing anyway
    }
  }
}
