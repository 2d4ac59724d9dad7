package io.trackside.warehouse;

/**
 * Ids as 64-bit hashes, for grouping and joining millions of sessions or people: cheaper than
 * their text, and two ids colliding among a few million has a chance of about 1 in 10^7. DuckDB
 * hashes NULL to a constant, which would make one "person" of every event without an id: NULL
 * stays NULL here.
 */
final class IdHash {
  private IdHash() {
  }

  static String of(String column) {
    return "CASE WHEN " + column + " IS NOT NULL THEN hash(" + column + ") END";
  }
}
