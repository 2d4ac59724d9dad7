package io.trackside.warehouse;

/**
 * The dedupe window: 64-bit hashes of the last {@code capacity} (source, messageId) pairs
 * written, forgetting the oldest first. Primitive open addressing (linear probing) over a
 * {@code long[]} plus a FIFO ring of insertion order, so two million ids cost about 48 MB and no
 * garbage, where a {@code HashSet<String>} would cost several hundred MB.
 *
 * <p>A hash, not the id, is kept: two different ids colliding in 64 bits would drop one event,
 * with a chance of about n / 2^64 per event (~1e-13 at two million), far below any other loss.
 *
 * <p>Not thread-safe; the warehouse guards it.
 */
final class RecentIds {

  private static final long EMPTY = 0L;

  private final int capacity;
  private final long[] table;
  private final int mask;
  private final long[] fifo;
  private int head;
  private int size;

  RecentIds(int capacity) {
    if (capacity < 1 || capacity > 1 << 28) {
      throw new IllegalArgumentException("capacity must be between 1 and 2^28, was " + capacity);
    }
    this.capacity = capacity;
    // Load factor at most 1/2 keeps linear-probing chains short.
    int slots = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1;
    this.table = new long[slots];
    this.mask = slots - 1;
    this.fifo = new long[capacity];
  }

  static long hash(String source, String messageId) {
    // FNV-1a over the UTF-16 chars of source + '\0' + messageId, then a final avalanche so that
    // the low bits used for the slot are well mixed.
    long h = 0xcbf29ce484222325L;
    h = fnv(h, source == null ? "" : source);
    h = (h ^ 0) * 0x100000001b3L;
    h = fnv(h, messageId);
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h == EMPTY ? 1L : h; // 0 marks an empty slot
  }

  private static long fnv(long h, String s) {
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    return h;
  }

  int size() {
    return size;
  }

  int capacity() {
    return capacity;
  }

  boolean contains(long hash) {
    for (int i = slot(hash); ; i = (i + 1) & mask) {
      long v = table[i];
      if (v == EMPTY) {
        return false;
      }
      if (v == hash) {
        return true;
      }
    }
  }

  /** Adds the hash, evicting the oldest when full. Returns false when it was already present. */
  boolean add(long hash) {
    if (contains(hash)) {
      return false;
    }
    if (size == capacity) {
      remove(fifo[head]);
      size--;
      head = (head + 1) % capacity;
    }
    insert(hash);
    fifo[(head + size) % capacity] = hash;
    size++;
    return true;
  }

  private int slot(long hash) {
    return (int) hash & mask;
  }

  private void insert(long hash) {
    int i = slot(hash);
    while (table[i] != EMPTY) {
      i = (i + 1) & mask;
    }
    table[i] = hash;
  }

  /** Backward-shift deletion: keeps every remaining entry reachable without tombstones. */
  private void remove(long hash) {
    int i = slot(hash);
    while (table[i] != hash) {
      if (table[i] == EMPTY) {
        return;
      }
      i = (i + 1) & mask;
    }
    int gap = i;
    for (int j = (gap + 1) & mask; table[j] != EMPTY; j = (j + 1) & mask) {
      int home = slot(table[j]);
      // Move j into the gap unless its home lies cyclically in (gap, j].
      boolean homeBetween = gap <= j ? (home > gap && home <= j) : (home > gap || home <= j);
      if (!homeBetween) {
        table[gap] = table[j];
        gap = j;
      }
    }
    table[gap] = EMPTY;
  }
}
