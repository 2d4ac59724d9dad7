package io.trackside.log;

import java.io.IOException;
import java.nio.file.FileStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses appends before the disk is full rather than failing writes once it is. Asking the
 * filesystem is a system call, so the answer is cached and refreshed about once a second by the
 * maintenance thread; between refreshes the log's own growth is subtracted, which is by far the
 * biggest change in free space while we are writing.
 */
final class DiskSpaceGuard {
  private static final Logger log = LoggerFactory.getLogger(DiskSpaceGuard.class);

  private final FileStore store;
  private final long minFreeBytes;
  /** One immutable pair, so the writer and the maintenance thread can both refresh it. */
  private record Reading(long usable, long logSize) {
  }

  private volatile Reading reading = new Reading(Long.MAX_VALUE, 0);

  DiskSpaceGuard(FileStore store, long minFreeBytes) {
    this.store = store;
    this.minFreeBytes = minFreeBytes;
  }

  void refresh(long logSize) {
    try {
      reading = new Reading(store.getUsableSpace(), logSize);
    } catch (IOException e) {
      log.warn("cannot read free space of {}", store, e);
    }
  }

  long freeBytes(long logSize) {
    Reading last = reading;
    return last.usable() - Math.max(0, logSize - last.logSize());
  }

  /** Whether appends should stop; a minimum of 0 turns the guard off (the estimate may dip below 0). */
  boolean low(long logSize) {
    return minFreeBytes > 0 && freeBytes(logSize) < minFreeBytes;
  }

  String describe(long logSize) {
    return String.format("disk almost full: %d MB free, need %d MB",
        Math.max(0, freeBytes(logSize)) / 1_000_000, minFreeBytes / 1_000_000);
  }
}
