package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A few connections of their own for the dashboard's queries. The warehouse's single reader is
 * shared by everything else under one lock; a dashboard query of a second must not make
 * /readyz or /api/events wait, nor wait for them. DuckDB runs reads beside writes (MVCC), so
 * these never block the writer either. The pool is small on purpose: each DuckDB query already
 * uses every core, so more parallel queries would only share the same cores more thinly.
 */
public final class StatsReaders implements AutoCloseable {
  /** How long a query waits for a free connection before the API answers 503. */
  static final long WAIT_SECONDS = 30;

  private final BlockingQueue<Connection> idle;
  private final int size;
  private volatile boolean closed;

  public StatsReaders(DuckDbWarehouse warehouse, int size) throws SQLException {
    this.size = size;
    this.idle = new ArrayBlockingQueue<>(size);
    for (int i = 0; i < size; i++) {
      idle.add(warehouse.newConnection());
    }
  }

  /** Work done with a connection that is the caller's alone for its duration. */
  @FunctionalInterface
  public interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  /** Runs {@code work} with a free connection, waiting up to 30 s for one; call it on a worker thread. */
  public <T> T read(Work<T> work) throws SQLException {
    Connection connection;
    try {
      connection = idle.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for a warehouse connection");
    }
    if (connection == null) {
      throw new SQLException("all " + size + " dashboard connections stayed busy for " + WAIT_SECONDS + " s");
    }
    try {
      if (closed) {
        throw new SQLException("the warehouse is closed");
      }
      return work.apply(connection);
    } finally {
      idle.add(connection);
    }
  }

  /** Closes every connection, waiting (up to 30 s) for those still running a query. */
  @Override
  public void close() {
    closed = true;
    for (int i = 0; i < size; i++) {
      Connection connection;
      try {
        connection = idle.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (connection == null) {
        return;
      }
      try {
        connection.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
  }
}
