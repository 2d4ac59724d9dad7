package io.trackside.pipeline;

/**
 * A small direct-mapped cache from an address as sent (the string) to what a lookup found:
 * one array slot per hash, a new entry simply replaces the one in its slot. Bounded by
 * construction, no allocation on a hit, no eviction bookkeeping — and for traffic where the
 * same visitors send several events within minutes, nearly as good as an LRU.
 *
 * <p>Not thread-safe: each worker's pipeline has its own (see {@link Step}).
 */
final class AddressCache<V> {

  private final String[] keys;
  private final Object[] values;
  private final int mask;

  /** @param slots rounded up to a power of two */
  AddressCache(int slots) {
    int size = Integer.highestOneBit(Math.max(2, slots) - 1) << 1;
    keys = new String[size];
    values = new Object[size];
    mask = size - 1;
  }

  @SuppressWarnings("unchecked")
  V get(String key) {
    int slot = slot(key);
    String cached = keys[slot];
    return cached != null && cached.equals(key) ? (V) values[slot] : null;
  }

  void put(String key, V value) {
    int slot = slot(key);
    keys[slot] = key;
    values[slot] = value;
  }

  int slots() {
    return keys.length;
  }

  private int slot(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & mask;
  }
}
