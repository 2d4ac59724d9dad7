package io.trackside.destination;

import io.trackside.cluster.Fence;
import io.trackside.cluster.PartitionLeases;
import java.util.Set;
import java.util.TreeSet;
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

  private final Delivery delivery;
  private final Set<Integer> owned = new TreeSet<>();

  LeasedDelivery(Delivery delivery) {
    this.delivery = delivery;
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

  private void switchTo() {
    try {
      delivery.read(Set.copyOf(owned));
    } catch (RuntimeException e) {
      // The log cannot be read now: the partitions stay leased and undelivered until the next change
      // or restart; the error shows in the destination's state and lastError.
      delivery.metrics().lastError = "cannot start reading partitions " + owned + ": " + e.getMessage();
      log.error("Destination {}: cannot start reading partitions {}", delivery.config().id(), owned, e);
    }
  }
}
