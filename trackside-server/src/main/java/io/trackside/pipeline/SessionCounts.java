package io.trackside.pipeline;

import java.util.Arrays;

/**
 * How many sessions each recently seen visitor has had, so that a visitor who comes back after
 * their live session state was evicted gets the next session number, not 1 again.
 *
 * <p>Bounded: two generations of a primitive open-addressing map from a 64-bit hash of the
 * visitor id to the last session number. New visitors go into the young generation; when it is
 * full the old generation is cleared and the two swap, so between {@code perGeneration} and
 * twice that many of the most recently active visitors are remembered, in fixed memory
 * (12 bytes per slot, two slots per entry). A visitor forgotten that way starts again at 1.
 *
 * <p>Shared by all workers; touched once per new session, not per event, so a lock is cheap.
 */
final class SessionCounts {

  private static final long EMPTY = 0L;

  private final int perGeneration;
  private Generation young;
  private Generation old;

  SessionCounts(int perGeneration) {
    if (perGeneration < 1 || perGeneration > 1 << 26) {
      throw new IllegalArgumentException("perGeneration must be between 1 and 2^26, was " + perGeneration);
    }
    this.perGeneration = perGeneration;
    this.young = new Generation(perGeneration);
    this.old = new Generation(perGeneration);
  }

  /** The last session number known for the visitor, or 0. */
  synchronized int last(String visitorId) {
    long h = hash(visitorId);
    int n = young.get(h);
    return n != 0 ? n : old.get(h);
  }

  /**
   * Records a new session of the visitor and returns its number: one more than the last known,
   * and at least {@code atLeast} (what the caller knows from live state).
   */
  synchronized int next(String visitorId, int atLeast) {
    long h = hash(visitorId);
    int last = young.get(h);
    if (last == 0) {
      last = old.get(h);
    }
    int n = Math.max(last + 1, atLeast);
    put(h, n);
    return n;
  }

  /** Restores a count (at start-up, from the warehouse); never lowers one. */
  synchronized void restore(String visitorId, int sessions) {
    long h = hash(visitorId);
    int known = Math.max(young.get(h), old.get(h));
    if (sessions > known) {
      put(h, sessions);
    }
  }

  private void put(long h, int n) {
    if (young.set(h, n)) {
      return;
    }
    if (young.size >= perGeneration) {
      Generation spare = old;
      spare.clear();
      old = young;
      young = spare;
    }
    young.insert(h, n);
  }

  int capacity() {
    return perGeneration * 2;
  }

  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h == EMPTY ? 1 : h;
  }

  /** Linear probing over parallel arrays; load factor at most 1/2. */
  private static final class Generation {
    final long[] keys;
    final int[] values;
    final int mask;
    int size;

    Generation(int capacity) {
      int slots = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1;
      keys = new long[slots];
      values = new int[slots];
      mask = slots - 1;
    }

    int get(long h) {
      for (int i = (int) h & mask; ; i = (i + 1) & mask) {
        long k = keys[i];
        if (k == h) {
          return values[i];
        }
        if (k == EMPTY) {
          return 0;
        }
      }
    }

    /** Updates an existing entry; false when the key is absent. */
    boolean set(long h, int n) {
      for (int i = (int) h & mask; ; i = (i + 1) & mask) {
        long k = keys[i];
        if (k == h) {
          values[i] = n;
          return true;
        }
        if (k == EMPTY) {
          return false;
        }
      }
    }

    void insert(long h, int n) {
      int i = (int) h & mask;
      while (keys[i] != EMPTY) {
        i = (i + 1) & mask;
      }
      keys[i] = h;
      values[i] = n;
      size++;
    }

    void clear() {
      Arrays.fill(keys, EMPTY);
      Arrays.fill(values, 0);
      size = 0;
    }
  }
}
