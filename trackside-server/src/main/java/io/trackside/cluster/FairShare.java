package io.trackside.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which partitions a member should own: with the live members sorted, partition p belongs to
 * member p mod members. Every node computes it from the same table, so they agree without
 * talking to each other (and while their views differ for a moment, the locks keep a partition
 * to one owner).
 */
final class FairShare {
  private FairShare() {
  }

  static Set<Integer> of(String member, Collection<String> liveMembers, int partitions) {
    List<String> sorted = new ArrayList<>(new TreeSet<>(liveMembers));
    int index = sorted.indexOf(member);
    Set<Integer> share = new TreeSet<>();
    if (index < 0) {
      return share;
    }
    for (int p = index; p < partitions; p += sorted.size()) {
      share.add(p);
    }
    return share;
  }
}
