package io.trackside.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** The two tables of partition leases, in the shared PostgreSQL database. */
final class LeaseTables {
  private LeaseTables() {
  }

  /** Idempotent: safe on every start, and when several nodes start at once. */
  static void create(Connection conn) throws SQLException {
    boolean autoCommit = conn.getAutoCommit();
    conn.setAutoCommit(false);
    try (Statement s = conn.createStatement()) {
      // CREATE ... IF NOT EXISTS is not atomic in PostgreSQL; nodes starting together take turns.
      s.execute("SELECT pg_advisory_xact_lock(7226410930512345002)");
      // member_key names the advisory lock the node's lease connection holds while it lives: a
      // node killed with -9 drops its connection and leaves the membership at once.
      s.execute("CREATE TABLE IF NOT EXISTS cluster_nodes (grp text NOT NULL, node_id text NOT NULL,"
          + " member_key integer NOT NULL, heartbeat_at timestamptz NOT NULL, PRIMARY KEY (grp, node_id))");
      // The fencing epochs: bumped by every acquisition, checked FOR SHARE by every write.
      s.execute("CREATE TABLE IF NOT EXISTS partition_owners (grp text NOT NULL, partition integer NOT NULL,"
          + " owner text NOT NULL, epoch bigint NOT NULL, acquired_at timestamptz NOT NULL,"
          + " PRIMARY KEY (grp, partition))");
      conn.commit();
    } catch (SQLException | RuntimeException e) {
      conn.rollback();
      throw e;
    } finally {
      conn.setAutoCommit(autoCommit);
    }
  }
}
