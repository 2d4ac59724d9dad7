package io.trackside.cluster;

import io.trackside.warehouse.WriteFence;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The epochs at which one node owned some partitions of a group, checked inside a write
 * transaction so that a node which lost a partition (a zombie) cannot commit rows for it.
 *
 * <p>{@link #check} reads the partitions' rows of {@code partition_owners} FOR SHARE: a node
 * taking a partition over updates that row (owner and a new epoch), so it waits until every
 * transaction that checked the old epoch has ended, and every transaction that checks after it
 * sees the new owner and fails. A writer takes its fence when it is given its partitions, so a
 * writer of an earlier tenure of the same node fails too.
 *
 * @param epochs per partition, the epoch this node acquired it at (-1: not owned when taken)
 */
public record Fence(String group, String nodeId, Map<Integer, Long> epochs) implements WriteFence {

  public Fence {
    epochs = Map.copyOf(epochs);
  }

  /** The same fence for only these of its partitions. */
  public Fence only(Set<Integer> partitions) {
    Map<Integer, Long> kept = new HashMap<>(epochs);
    kept.keySet().retainAll(partitions);
    return new Fence(group, nodeId, kept);
  }

  /** The partitions this fence covers. */
  public Set<Integer> partitions() {
    return epochs.keySet();
  }

  /**
   * Throws {@link LeaseLostException} unless this node still owns every partition at its epoch.
   * Call inside the caller's write transaction (auto-commit off), before its commit; the shared
   * row locks last until that commit.
   */
  @Override
  public void check(Connection tx) throws SQLException {
    if (tx.getAutoCommit()) {
      throw new IllegalStateException("a fence only protects a transaction: turn auto-commit off");
    }
    if (epochs.isEmpty()) {
      return;
    }
    Map<Integer, String> lost = new TreeMap<>();
    Set<Integer> seen = new HashSet<>();
    Array partitions = tx.createArrayOf("integer", new TreeSet<>(epochs.keySet()).toArray());
    try (PreparedStatement s = tx.prepareStatement("SELECT partition, owner, epoch FROM partition_owners"
        + " WHERE grp = ? AND partition = ANY(?) ORDER BY partition FOR SHARE")) {
      s.setString(1, group);
      s.setArray(2, partitions);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          int p = rs.getInt(1);
          String owner = rs.getString(2);
          long epoch = rs.getLong(3);
          seen.add(p);
          if (!owner.equals(nodeId) || epoch != epochs.get(p)) {
            lost.put(p, owner + " at epoch " + epoch);
          }
        }
      }
    }
    for (var e : epochs.entrySet()) {
      if (e.getValue() < 0) {
        lost.put(e.getKey(), "not leased by this node");
      } else if (!seen.contains(e.getKey())) {
        lost.put(e.getKey(), "no owner");
      }
    }
    if (!lost.isEmpty()) {
      throw new LeaseLostException("node " + nodeId + " no longer owns partitions " + lost.keySet() + " of group "
          + group + " (now " + lost + "); nothing of the batch is written, it stays in the log for the new owner");
    }
  }
}
