package io.trackside.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared view of one partition: its segments and its durable end. The writer adds segments
 * and publishes the end; retention removes the oldest segments; consumers only read. The segment
 * list is copy-on-write so readers never lock.
 */
final class PartitionLog {
  private static final Logger log = LoggerFactory.getLogger(PartitionLog.class);

  /** The durable end: the next offset to write, and where it lies on disk. */
  record End(long offset, Segment segment, long position) {
  }

  final int id;
  final Path dir;
  private volatile Segment[] segments;
  private volatile End end;
  private final Object lock = new Object();

  private PartitionLog(int id, Path dir, Segment[] segments, End end) {
    this.id = id;
    this.dir = dir;
    this.segments = segments;
    this.end = end;
  }

  static Path dirOf(Path logDir, int partition) {
    return logDir.resolve("partition-" + partition);
  }

  /**
   * Opens a partition, creating it when new. The last segment is scanned and cut at the first torn
   * or corrupt record: that tail was never acknowledged, since acknowledgement follows fsync.
   * Older segments were fsynced before the next one was created, so they are trusted as they are.
   */
  static PartitionLog load(Path logDir, int id) throws IOException {
    Path dir = dirOf(logDir, id);
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      FileSync.directory(logDir);
    }
    List<Segment> found = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        long base = Segment.parseBaseOffset(file);
        if (base >= 0) {
          found.add(new Segment(file, base, Files.size(file), Segment.UNKNOWN_TIMESTAMP));
        }
      }
    }
    found.sort(Comparator.comparingLong(s -> s.baseOffset));
    if (found.isEmpty()) {
      Segment first = Segment.create(dir, 0);
      FileSync.directory(dir);
      first.closeChannel();
      found.add(new Segment(first.path, 0, 0, Segment.UNKNOWN_TIMESTAMP));
    }
    Segment last = found.get(found.size() - 1);
    long next = recoverTail(last);
    last.channel = FileChannel.open(last.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    Segment[] array = found.toArray(new Segment[0]);
    return new PartitionLog(id, dir, array, new End(next, last, last.sizeBytes()));
  }

  /** Scans the active segment, truncates it after its last valid record, and returns the next offset. */
  private static long recoverTail(Segment segment) throws IOException {
    long expected = segment.baseOffset;
    long maxTimestamp = Segment.UNKNOWN_TIMESTAMP;
    try (FileChannel channel = FileChannel.open(segment.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = channel.size();
      SegmentReader reader = new SegmentReader(1024 * 1024);
      reader.reset(channel, 0);
      String problem = null;
      while (true) {
        SegmentReader.Status status = reader.next(size);
        if (status == SegmentReader.Status.END) {
          break;
        }
        if (status != SegmentReader.Status.RECORD) {
          problem = status.name().toLowerCase() + " record (" + reader.problem() + ")";
          break;
        }
        if (reader.offset() != expected) {
          problem = "record with offset " + reader.offset() + " where " + expected + " was expected";
          break;
        }
        maxTimestamp = Math.max(maxTimestamp, reader.timestamp());
        expected++;
      }
      long valid = reader.position();
      if (valid < size) {
        log.warn("{}: {} at byte {}; dropped {} bytes after offset {} (never acknowledged: "
            + "appends are acknowledged only after fsync)", segment, problem, valid, size - valid, expected - 1);
        channel.truncate(valid);
        channel.force(true);
      }
      segment.sizeBytes(valid);
      segment.maxTimestamp(maxTimestamp);
    }
    return expected;
  }

  End end() {
    return end;
  }

  void publish(End value) {
    end = value;
  }

  Segment[] segments() {
    return segments;
  }

  /** The first offset still on disk. */
  long startOffset() {
    return segments[0].baseOffset;
  }

  /** The segment holding {@code offset}: the one with the greatest base offset not above it; null if before the start. */
  static Segment segmentFor(Segment[] segments, long offset) {
    int low = 0;
    int high = segments.length - 1;
    Segment found = null;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (segments[mid].baseOffset <= offset) {
        found = segments[mid];
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  void addSegment(Segment segment) {
    synchronized (lock) {
      Segment[] current = segments;
      Segment[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = segment;
      segments = next;
    }
  }

  /** Removes the newest segment (undoing a roll of a failed group). */
  void removeNewest(Segment segment) {
    synchronized (lock) {
      Segment[] current = segments;
      if (current.length > 1 && current[current.length - 1] == segment) {
        segments = Arrays.copyOf(current, current.length - 1);
      }
    }
  }

  /**
   * The oldest segment if it is closed and wholly published, with the offset that ends it; else null.
   * "Closed" is judged against the published end, not the list: a segment the writer rolled away
   * from in a group that has not committed yet may become active again if that group fails.
   */
  Segment oldestClosed() {
    End published = end;
    Segment[] current = segments;
    Segment oldest = current[0];
    if (current.length < 2 || oldest == published.segment() || oldest.baseOffset >= published.segment().baseOffset) {
      return null;
    }
    return oldest;
  }

  /** The first offset after {@code segment}, i.e. the base of the segment that follows it. */
  long endOf(Segment segment) {
    Segment[] current = segments;
    for (int i = 0; i < current.length - 1; i++) {
      if (current[i] == segment) {
        return current[i + 1].baseOffset;
      }
    }
    throw new IllegalStateException(segment + " is not a closed segment of partition " + id);
  }

  /** Removes the oldest segment if it still is the oldest closed one (retention). */
  boolean removeOldest(Segment segment) {
    synchronized (lock) {
      Segment[] current = segments;
      if (oldestClosed() == segment) {
        segments = Arrays.copyOfRange(current, 1, current.length);
        return true;
      }
      return false;
    }
  }

  long sizeBytes() {
    long total = 0;
    for (Segment segment : segments) {
      total += segment.sizeBytes();
    }
    return total;
  }
}
