package io.trackside.cluster;

import io.trackside.pipeline.WarehouseWriter;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the warehouse writer on the partitions this node leases: on every change of the owned set
 * it stops the running writer (its batch in hand is written or dropped uncommitted) and starts a
 * new one for the new set, which reads its positions from the warehouse at start. A stopped
 * writer cannot restart, hence a new one each time; ownership changes are rare.
 */
public final class LeasedWarehouseWriter implements PartitionLeases.Listener, AutoCloseable {

  /**
   * Creates (not starts) a writer for exactly these partitions
   * ({@link WarehouseWriter.Config#withPartitions}), with its hooks set, writing through a
   * warehouse that checks {@code fence} in each write transaction.
   */
  public interface Writers {
    WarehouseWriter create(Set<Integer> partitions, Fence fence);
  }

  private static final Logger log = LoggerFactory.getLogger(LeasedWarehouseWriter.class);

  private final Writers writers;
  private WarehouseWriter current;
  private Fence fence;
  private volatile String failing;

  public LeasedWarehouseWriter(Writers writers) {
    this.writers = writers;
  }

  @Override
  public synchronized void assigned(Set<Integer> partitions, Fence all) {
    switchTo(all);
  }

  @Override
  public synchronized void revoked(Set<Integer> partitions) {
    Set<Integer> remaining = new TreeSet<>(fence == null ? Set.of() : fence.partitions());
    remaining.removeAll(partitions);
    switchTo(fence == null ? null : fence.only(remaining));
  }

  /** The partitions the running writer works on (empty when none runs). */
  public synchronized Set<Integer> partitions() {
    return current == null ? Set.of() : fence.partitions();
  }

  /** Null while the writer works (or none is needed), otherwise what is wrong, for /readyz. */
  public String check() {
    String f = failing;
    if (f != null) {
      return f;
    }
    WarehouseWriter w;
    synchronized (this) {
      w = current;
    }
    return w == null ? null : w.check();
  }

  @Override
  public synchronized void close() {
    switchTo(null);
  }

  private void switchTo(Fence next) {
    if (current != null) {
      current.stop();
      current = null;
    }
    fence = next;
    failing = null;
    if (next == null || next.partitions().isEmpty()) {
      return;
    }
    WarehouseWriter writer = writers.create(next.partitions(), next);
    try {
      writer.start();
    } catch (RuntimeException e) {
      // The partitions stay leased but unwritten: their events wait in the log. Shows on /readyz.
      failing = "the warehouse writer for partitions " + new TreeSet<>(next.partitions()) + " did not start: "
          + e.getMessage();
      log.error("Starting the warehouse writer for leased partitions {} failed", next.partitions(), e);
      return;
    }
    current = writer;
  }
}
