package io.trackside.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes old segments, always the oldest of a partition first so offsets stay contiguous, and
 * never the active one. Age wins over consumers (records older than the retention age go, read
 * or not, and unread ones are counted as loss); size only deletes what every group has read, so
 * a slow sink makes the log grow towards its hard cap instead of losing events.
 */
final class Retention {
  private static final Logger log = LoggerFactory.getLogger(Retention.class);

  private final EmbeddedLogConfig config;
  private final PartitionLog[] partitions;
  private final OffsetStore offsets;
  private final AtomicLong logSize;
  private final LogMetrics metrics;
  private boolean warnedBlocked;

  Retention(EmbeddedLogConfig config, PartitionLog[] partitions, OffsetStore offsets, AtomicLong logSize,
            LogMetrics metrics) {
    this.config = config;
    this.partitions = partitions;
    this.offsets = offsets;
    this.logSize = logSize;
    this.metrics = metrics;
  }

  /** Runs one pass; returns how many segments were deleted. */
  synchronized int run(long nowMillis) throws IOException {
    Map<String, Map<Integer, Long>> groups = offsets.snapshot();
    long cutoff = nowMillis - config.retentionAge().toMillis();
    int deleted = 0;
    for (PartitionLog partition : partitions) {
      while (true) {
        Segment oldest = partition.oldestClosed();
        if (oldest == null || newestTimestamp(oldest) >= cutoff) {
          break;
        }
        long end = partition.endOf(oldest);
        countUnconsumed(groups, partition.id, oldest, end);
        if (!delete(partition, oldest, end, "older than " + config.retentionAge())) {
          break;
        }
        deleted++;
      }
    }
    List<String> blocking = new ArrayList<>();
    while (logSize.get() > config.retentionBytes()) {
      PartitionLog chosen = null;
      Segment oldest = null;
      long oldestEnd = 0;
      long oldestTime = Long.MAX_VALUE;
      for (PartitionLog partition : partitions) {
        Segment candidate = partition.oldestClosed();
        if (candidate == null) {
          continue;
        }
        long end = partition.endOf(candidate);
        List<String> behind = config.sizeRetentionWaits() ? groupsBehind(groups, partition.id, end) : List.of();
        if (!behind.isEmpty()) {
          behind.stream().filter(g -> !blocking.contains(g)).forEach(blocking::add);
          continue;
        }
        long time = newestTimestamp(candidate);
        if (chosen == null || time < oldestTime) {
          chosen = partition;
          oldest = candidate;
          oldestEnd = end;
          oldestTime = time;
        }
      }
      if (chosen == null) {
        break;
      }
      if (!config.sizeRetentionWaits()) {
        countUnconsumed(groups, chosen.id, oldest, oldestEnd);
      }
      if (!delete(chosen, oldest, oldestEnd, "log over " + config.retentionBytes() + " bytes")) {
        break;
      }
      deleted++;
    }
    boolean blocked = logSize.get() > config.retentionBytes() && !blocking.isEmpty();
    if (blocked && !warnedBlocked) {
      log.warn("event log is {} bytes, over its retention size of {}, but groups {} have not consumed the "
          + "oldest segments; they are kept (appends stop at {} bytes)", logSize.get(), config.retentionBytes(),
          blocking, config.maxBytes());
    }
    warnedBlocked = blocked;
    return deleted;
  }

  private static List<String> groupsBehind(Map<String, Map<Integer, Long>> groups, int partition, long end) {
    List<String> behind = new ArrayList<>();
    groups.forEach((group, committed) -> {
      if (committed.getOrDefault(partition, 0L) < end) {
        behind.add(group);
      }
    });
    return behind;
  }

  private void countUnconsumed(Map<String, Map<Integer, Long>> groups, int partition, Segment segment, long end) {
    groups.forEach((group, committed) -> {
      long position = committed.getOrDefault(partition, 0L);
      if (position < end) {
        long lost = end - Math.max(position, segment.baseOffset);
        log.warn("group {} had not consumed {} records of partition {} (offsets {}..{}) deleted by age retention",
            group, lost, partition, Math.max(position, segment.baseOffset), end - 1);
        metrics.expiredUnconsumed(group, lost);
      }
    });
  }

  private boolean delete(PartitionLog partition, Segment segment, long end, String why) throws IOException {
    if (!partition.removeOldest(segment)) {
      return false;
    }
    // Consumers reading it keep their own open channel, so the file can go at once.
    Files.deleteIfExists(segment.path);
    logSize.addAndGet(-segment.sizeBytes());
    log.info("deleted {} ({} bytes, offsets {}..{}): {}", segment, segment.sizeBytes(), segment.baseOffset,
        end - 1, why);
    return true;
  }

  /** A closed segment's newest record time; segments found at start-up are scanned once to learn it. */
  private static long newestTimestamp(Segment segment) throws IOException {
    long known = segment.maxTimestamp();
    if (known != Segment.UNKNOWN_TIMESTAMP) {
      return known;
    }
    long newest = Segment.UNKNOWN_TIMESTAMP;
    try (FileChannel channel = FileChannel.open(segment.path, StandardOpenOption.READ)) {
      SegmentReader reader = new SegmentReader(1024 * 1024);
      reader.reset(channel, 0);
      while (reader.next(segment.sizeBytes()) == SegmentReader.Status.RECORD) {
        newest = Math.max(newest, reader.timestamp());
      }
    } catch (NoSuchFileException e) {
      return Long.MAX_VALUE; // deleted meanwhile
    }
    // An empty segment has no age of its own; treat it as old so it does not hold back the others.
    segment.maxTimestamp(newest == Segment.UNKNOWN_TIMESTAMP ? Long.MIN_VALUE + 1 : newest);
    return segment.maxTimestamp();
  }
}
