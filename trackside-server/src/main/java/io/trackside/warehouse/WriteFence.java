package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Checked inside a write transaction before anything is written: throws unless the writer still
 * owns the log partitions it writes (see {@code io.trackside.cluster.Fence}), so a node that lost
 * its lease cannot commit rows or positions for partitions another node now writes. Only a
 * shared warehouse (PostgreSQL) can check one; the DuckDB warehouse has a single writer.
 */
public interface WriteFence {
  void check(Connection tx) throws SQLException;
}
