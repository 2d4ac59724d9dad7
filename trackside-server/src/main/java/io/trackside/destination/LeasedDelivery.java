package io.trackside.destination;

import io.trackside.cluster.Fence;
import io.trackside.cluster.PartitionLeases;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One destination's delivery on the partitions this node leases (group {@code deliver:<id>}):
 * each enriched partition is delivered by one live node at a time and moves to the others when
 * that node stops or dies. No fence: delivery is at-least-once anyway, and a node that lost its
 * lease connection stops reading before it could commit over the next owner's settled events
 * (a late commit of an older position only sends some events again).
 */
final class LeasedDelivery implements PartitionLeases.Listener {
  static final String GROUP_PREFIX = "deliver:";
  private static final Logger log = LoggerFactory.getLogger(LeasedDelivery.class);

  private static final long RETRY_SECONDS = 5;

  private final Delivery delivery;
  private final Set<Integer> owned = new TreeSet<>();
  /** Starts reading again when it failed (the log unreachable at a lease change). */
  private final ScheduledExecutorService retries;
  private ScheduledFuture<?> retry;

  LeasedDelivery(Delivery delivery) {
    this.delivery = delivery;
    this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "destination-" + delivery.config().id() + "-lease-retry");
      t.setDaemon(true);
      return t;
    });
  }

  static String group(String destinationId) {
    return GROUP_PREFIX + destinationId;
  }

  @Override
  public synchronized void assigned(Set<Integer> partitions, Fence fence) {
    owned.addAll(partitions);
    switchTo();
  }

  @Override
  public synchronized void revoked(Set<Integer> partitions) {
    owned.removeAll(partitions);
    switchTo();
  }

  /** After the leases are closed (every partition revoked). */
  void close() {
    retries.shutdownNow();
  }

  private void switchTo() {
    if (retry != null) {
      retry.cancel(false);
      retry = null;
    }
    try {
      delivery.read(Set.copyOf(owned));
    } catch (RuntimeException e) {
      // The log cannot be read now: the partitions stay leased, shown as stopped with the error,
      // and reading is tried again shortly (their events wait in the log meanwhile).
      delivery.metrics().lastError = "cannot start reading partitions " + owned + ": " + e.getMessage();
      log.error("Destination {}: cannot start reading partitions {} ({}); trying again in {} s",
          delivery.config().id(), owned, e.toString(), RETRY_SECONDS);
      try {
        retry = retries.schedule(this::retry, RETRY_SECONDS, TimeUnit.SECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // stopping
      }
    }
  }

  private synchronized void retry() {
    retry = null;
    switchTo();
  }
}
