package io.trackside.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's read position in one partition. It keeps its own channel on the current segment
 * and its place in it, so reading on from where the last poll stopped costs no search; only a
 * seek (or the first read) scans the segment from its start.
 *
 * <p>Owning the channel matters twice: an interrupt closes a FileChannel, which must not close the
 * writer's; and a segment deleted by retention stays readable through an open channel, so
 * retention never has to wait for readers.
 */
final class PartitionCursor {
  private static final Logger log = LoggerFactory.getLogger(PartitionCursor.class);

  private final PartitionLog partition;
  private final String group;
  private final SegmentReader reader = new SegmentReader();
  private long next;
  private Segment segment;
  private FileChannel channel;

  PartitionCursor(PartitionLog partition, String group, long next) {
    this.partition = partition;
    this.group = group;
    this.next = next;
  }

  long position() {
    return next;
  }

  void seek(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    if (offset != next) {
      next = offset;
      closeChannel();
    }
  }

  /** Adds up to {@code max} durable records to {@code out}; returns how many. */
  int read(int max, List<StoredRecord> out) throws IOException {
    PartitionLog.End end = partition.end();
    int count = 0;
    while (count < max && next < end.offset()) {
      if (segment == null && !open(end)) {
        break;
      }
      long limit = segment == end.segment() ? end.position() : segment.sizeBytes();
      SegmentReader.Status status = reader.next(limit);
      if (status == SegmentReader.Status.END) {
        if (segment == end.segment()) {
          throw new IllegalStateException("partition " + partition.id + ": offset " + next
              + " missing before the durable end " + end.offset() + " in " + segment);
        }
        Segment finished = segment;
        closeChannel(); // on to the segment holding `next`
        if (!open(end)) {
          break;
        }
        if (segment == finished) {
          throw new IllegalStateException("partition " + partition.id + ": no segment holds offset " + next
              + " after " + finished);
        }
        continue;
      }
      if (status != SegmentReader.Status.RECORD) {
        throw new IllegalStateException(segment + ": " + reader.problem() + " before offset " + next
            + " at byte " + reader.position() + "; the file was damaged after it was written");
      }
      long offset = reader.offset();
      if (offset < next) {
        continue; // scanning from the segment start towards a seek target
      }
      if (offset != next) {
        throw new IllegalStateException(segment + ": found offset " + offset + " where " + next + " was expected");
      }
      out.add(new StoredRecord(partition.id, offset, reader.timestamp(), reader.value()));
      next++;
      count++;
    }
    return count;
  }

  /** Opens the segment holding {@code next}; false if there is nothing to read there. */
  private boolean open(PartitionLog.End end) throws IOException {
    while (true) {
      Segment[] segments = partition.segments();
      long start = segments[0].baseOffset;
      if (next < start) {
        log.info("group {} partition {}: offsets {}..{} were deleted by retention; moving to {}",
            group, partition.id, next, start - 1, start);
        next = start;
      }
      if (next > end.offset()) {
        log.warn("group {} partition {}: position {} is past the end of the log {}; moving to the end",
            group, partition.id, next, end.offset());
        next = end.offset();
      }
      if (next >= end.offset()) {
        return false;
      }
      Segment found = PartitionLog.segmentFor(segments, next);
      try {
        channel = FileChannel.open(found.path, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        continue; // deleted by retention just now: look again
      }
      segment = found;
      reader.reset(channel, 0);
      return true;
    }
  }

  void closeChannel() {
    segment = null;
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // read-only channel: nothing to lose
      }
      channel = null;
    }
  }
}
