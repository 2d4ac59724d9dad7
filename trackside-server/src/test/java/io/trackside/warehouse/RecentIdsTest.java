package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecentIdsTest {

  @Test
  void remembersWhatWasAdded() {
    RecentIds ids = new RecentIds(10);
    long a = RecentIds.hash("web", "m-1");

    assertThat(ids.contains(a)).isFalse();
    assertThat(ids.add(a)).isTrue();
    assertThat(ids.contains(a)).isTrue();
    assertThat(ids.add(a)).isFalse();
    assertThat(ids.size()).isEqualTo(1);
  }

  @Test
  void sourceAndMessageIdAreSeparated() {
    assertThat(RecentIds.hash("ab", "c")).isNotEqualTo(RecentIds.hash("a", "bc"));
    assertThat(RecentIds.hash("web", "m-1")).isNotEqualTo(RecentIds.hash("app", "m-1"));
    assertThat(RecentIds.hash(null, "m-1")).isEqualTo(RecentIds.hash("", "m-1"));
  }

  @Test
  void forgetsTheOldestFirst() {
    RecentIds ids = new RecentIds(3);
    for (int i = 1; i <= 4; i++) {
      ids.add(RecentIds.hash("web", "m-" + i));
    }

    assertThat(ids.size()).isEqualTo(3);
    assertThat(ids.contains(RecentIds.hash("web", "m-1"))).isFalse();
    assertThat(ids.contains(RecentIds.hash("web", "m-2"))).isTrue();
    assertThat(ids.contains(RecentIds.hash("web", "m-4"))).isTrue();
  }

  /** Many evictions through colliding probe chains must keep every remaining entry findable. */
  @Test
  void behavesLikeABoundedFifoSetUnderChurn() {
    int capacity = 1000;
    RecentIds ids = new RecentIds(capacity);
    Deque<Long> order = new ArrayDeque<>();
    Set<Long> reference = new HashSet<>();
    Random random = new Random(42);
    for (int i = 0; i < 200_000; i++) {
      // Few distinct values, so re-adds and lookups of evicted values happen often.
      long h = RecentIds.hash("s", Integer.toString(random.nextInt(3000)));
      boolean added = ids.add(h);
      assertThat(added).isEqualTo(!reference.contains(h));
      if (added) {
        if (order.size() == capacity) {
          reference.remove(order.removeFirst());
        }
        order.addLast(h);
        reference.add(h);
      }
      long probe = RecentIds.hash("s", Integer.toString(random.nextInt(3000)));
      assertThat(ids.contains(probe)).isEqualTo(reference.contains(probe));
    }
    assertThat(ids.size()).isEqualTo(reference.size());
  }

  @Test
  void aWindowOfOneStillWorks() {
    RecentIds ids = new RecentIds(1);
    ids.add(7L);
    ids.add(8L);

    assertThat(ids.contains(7L)).isFalse();
    assertThat(ids.contains(8L)).isTrue();
  }
}
