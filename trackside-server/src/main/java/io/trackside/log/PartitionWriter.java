package io.trackside.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer thread's side of one partition. A group goes {@link #begin}, {@link #append}...,
 * {@link #flush}, {@link #sync}, then {@link #commit} (publish the new end to readers) or
 * {@link #rollback} (cut the files back to where the group began, so offsets stay contiguous and
 * nothing unacknowledged is ever read). Used by the writer thread only.
 */
final class PartitionWriter {
  private static final Logger log = LoggerFactory.getLogger(PartitionWriter.class);
  /** Records are gathered in one buffer and written with few large writes; bigger groups flush it as they go. */
  private static final int BUFFER_BYTES = 1024 * 1024;

  private final PartitionLog partition;
  private final long segmentBytes;
  private final AtomicLong logSize;
  private final CRC32C crc = new CRC32C();
  private ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);

  private Segment active;
  /** Bytes of the active segment already written to the file (buffered bytes not included). */
  private long position;
  private long nextOffset;
  private long activeMaxTimestamp;
  /** A failed rollback left bytes beyond {@link #position}; cut them before writing again. */
  private boolean needsTruncate;

  private boolean inGroup;
  private Segment groupStartSegment;
  private long groupStartPosition;
  private long groupStartOffset;
  private final List<Segment> createdInGroup = new ArrayList<>();

  PartitionWriter(PartitionLog partition, long segmentBytes, AtomicLong logSize) {
    this.partition = partition;
    this.segmentBytes = segmentBytes;
    this.logSize = logSize;
    PartitionLog.End end = partition.end();
    this.active = end.segment();
    this.position = end.position();
    this.nextOffset = end.offset();
    this.activeMaxTimestamp = active.maxTimestamp();
  }

  boolean inGroup() {
    return inGroup;
  }

  void begin() throws IOException {
    inGroup = true;
    groupStartSegment = active;
    groupStartPosition = position;
    groupStartOffset = nextOffset;
    if (needsTruncate) {
      active.channel.truncate(position);
      logSize.addAndGet(position - active.sizeBytes());
      active.sizeBytes(position);
      needsTruncate = false;
    }
  }

  void append(LogRecord record) throws IOException {
    byte[] value = record.value();
    int size = RecordFormat.sizeOf(value);
    long segmentSize = position + buffer.position();
    if (segmentSize > 0 && segmentSize + size > segmentBytes) {
      roll();
    }
    if (buffer.remaining() < size) {
      flush();
      if (buffer.capacity() < size) {
        buffer = ByteBuffer.allocateDirect(size);
      }
    }
    RecordFormat.encode(buffer, nextOffset++, record.timestampMillis(), value, crc);
    if (record.timestampMillis() > activeMaxTimestamp) {
      activeMaxTimestamp = record.timestampMillis();
    }
  }

  /** Writes what is buffered to the active segment. */
  void flush() throws IOException {
    buffer.flip();
    try {
      while (buffer.hasRemaining()) {
        int written = active.channel.write(buffer, position);
        position += written;
        logSize.addAndGet(written);
      }
    } finally {
      buffer.clear();
      active.sizeBytes(position);
    }
  }

  /**
   * Closes the active segment and starts the next. The old one is fsynced first, so recovery only
   * ever needs to check the newest segment of a partition for a torn tail.
   */
  private void roll() throws IOException {
    flush();
    active.channel.force(false);
    active.maxTimestamp(activeMaxTimestamp);
    Segment next = Segment.create(partition.dir, nextOffset);
    createdInGroup.add(next);
    partition.addSegment(next);
    FileSync.directory(partition.dir);
    active = next;
    position = 0;
    activeMaxTimestamp = Segment.UNKNOWN_TIMESTAMP;
  }

  void sync() throws IOException {
    active.channel.force(false);
  }

  /** Makes the group visible: consumers may now read up to the new end. */
  void commit() {
    active.maxTimestamp(activeMaxTimestamp);
    if (!createdInGroup.isEmpty()) {
      groupStartSegment.closeChannel();
      for (Segment segment : createdInGroup) {
        if (segment != active) {
          segment.closeChannel();
        }
      }
      createdInGroup.clear();
    }
    partition.publish(new PartitionLog.End(nextOffset, active, position));
    inGroup = false;
  }

  /**
   * Undoes a failed group: deletes segments it created and truncates the one it started in. Nothing
   * of the group was published, so no consumer has seen it. If truncating fails (the disk is
   * failing), writes still go to the right place because they are positional, and the stale
   * bytes are cut before the next group.
   */
  void rollback() {
    buffer.clear();
    for (int i = createdInGroup.size() - 1; i >= 0; i--) {
      Segment segment = createdInGroup.get(i);
      partition.removeNewest(segment);
      segment.closeChannel();
      logSize.addAndGet(-segment.sizeBytes());
      try {
        Files.deleteIfExists(segment.path);
      } catch (IOException e) {
        log.error("{}: could not delete segment of a failed write; recovery will cut it", segment, e);
      }
    }
    if (!createdInGroup.isEmpty()) {
      try {
        FileSync.directory(partition.dir);
      } catch (IOException e) {
        log.warn("partition {}: could not fsync directory after a failed write", partition.id, e);
      }
    }
    createdInGroup.clear();
    active = groupStartSegment;
    long written = active.sizeBytes() - groupStartPosition;
    position = groupStartPosition;
    nextOffset = groupStartOffset;
    try {
      active.channel.truncate(position);
      active.channel.force(true);
      logSize.addAndGet(-written);
      active.sizeBytes(position);
    } catch (IOException e) {
      needsTruncate = true;
      log.error("{}: could not truncate back to {} after a failed write; retrying before the next write",
          active, position, e);
    }
    inGroup = false;
  }

  void close() {
    active.closeChannel();
  }
}
