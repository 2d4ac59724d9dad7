package io.trackside.warehouse;

import io.trackside.core.Event;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The dedupe window ({@link RecentIds}) plus the ids of batches being written right now, so that
 * two concurrent batches of one warehouse never both write the same (source, messageId). An
 * event's id is reserved before its batch writes and joins the window only once that batch has
 * committed; a failed batch frees its ids for the retry.
 */
final class DedupeWindow {

  /** Events to write, and those whose (source, messageId) is stored or being stored already. */
  record Reservation(List<LoggedEvent> fresh, List<LoggedEvent> duplicates, List<Long> reserved) {
  }

  private final RecentIds recentIds;
  private final Set<Long> pendingIds = new HashSet<>();

  DedupeWindow(int capacity) {
    this.recentIds = new RecentIds(capacity);
  }

  int capacity() {
    return recentIds.capacity();
  }

  /** Loads stored ids, oldest first (so that the oldest are evicted first). */
  synchronized void addStored(long[] hashesOldestFirst, int count) {
    for (int i = 0; i < count; i++) {
      recentIds.add(hashesOldestFirst[i]);
    }
  }

  synchronized int size() {
    return recentIds.size();
  }

  /** Claims the events' ids so that no concurrent batch writes them too; see {@link #settle}. */
  synchronized Reservation reserve(List<LoggedEvent> events) {
    List<LoggedEvent> fresh = new ArrayList<>(events.size());
    List<LoggedEvent> dups = new ArrayList<>();
    List<Long> reserved = new ArrayList<>(events.size());
    for (LoggedEvent logged : events) {
      Event e = logged.event();
      if (e.messageId() == null) { // nothing to dedupe on; the collector normally assigns one
        fresh.add(logged);
        continue;
      }
      long hash = RecentIds.hash(e.source(), e.messageId());
      if (recentIds.contains(hash) || !pendingIds.add(hash)) {
        dups.add(logged);
      } else {
        reserved.add(hash);
        fresh.add(logged);
      }
    }
    return new Reservation(fresh, dups, reserved);
  }

  /** Releases the claims; once committed, the ids join the window. */
  synchronized void settle(Reservation reservation, boolean committed) {
    for (long hash : reservation.reserved()) {
      pendingIds.remove(hash);
      if (committed) {
        recentIds.add(hash);
      }
    }
  }
}
