package io.trackside.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One segment file of a partition: records from {@link #baseOffset} on, until the next segment's base.
 * Readers open their own channels on {@link #path}; only the writer uses {@link #channel}.
 */
final class Segment {
  static final String SUFFIX = ".seg";
  static final long UNKNOWN_TIMESTAMP = Long.MIN_VALUE;

  final Path path;
  final long baseOffset;
  /** Bytes in the file. Final once the segment is closed (a newer segment exists). */
  private volatile long sizeBytes;
  /** Newest record timestamp, for age retention; unknown for closed segments found at start-up until scanned. */
  private volatile long maxTimestamp;
  /** The writer's channel while the segment is active (or rolled within an uncommitted group). */
  FileChannel channel;

  Segment(Path path, long baseOffset, long sizeBytes, long maxTimestamp) {
    this.path = path;
    this.baseOffset = baseOffset;
    this.sizeBytes = sizeBytes;
    this.maxTimestamp = maxTimestamp;
  }

  static String fileName(long baseOffset) {
    return String.format("%020d%s", baseOffset, SUFFIX);
  }

  /** The base offset encoded in a segment file name, or -1 when the name is not a segment's. */
  static long parseBaseOffset(Path file) {
    String name = file.getFileName().toString();
    if (!name.endsWith(SUFFIX) || name.length() != 20 + SUFFIX.length()) {
      return -1;
    }
    try {
      return Long.parseLong(name.substring(0, 20));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Creates a new, empty segment file; the caller fsyncs the directory so the file survives a crash. */
  static Segment create(Path dir, long baseOffset) throws IOException {
    Segment segment = new Segment(dir.resolve(fileName(baseOffset)), baseOffset, 0, UNKNOWN_TIMESTAMP);
    segment.channel = FileChannel.open(segment.path,
        StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return segment;
  }

  long sizeBytes() {
    return sizeBytes;
  }

  void sizeBytes(long value) {
    sizeBytes = value;
  }

  long maxTimestamp() {
    return maxTimestamp;
  }

  void maxTimestamp(long value) {
    maxTimestamp = value;
  }

  void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Nothing is lost: data the log promised was fsynced before.
      }
      channel = null;
    }
  }

  @Override
  public String toString() {
    return path.getParent().getFileName() + "/" + path.getFileName();
  }
}
