package io.trackside.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Reads records one after another from a segment file through a buffer, checking each CRC.
 * Used by consumers, by recovery (to find a torn tail) and by retention (to learn a segment's
 * newest timestamp). Reads never go past the limit given, so bytes a writer has not yet made
 * durable never enter the buffer.
 */
final class SegmentReader {
  enum Status { RECORD, END, TORN, CORRUPT }

  private static final int DEFAULT_BUFFER = 128 * 1024;

  private final CRC32C crc = new CRC32C();
  private byte[] data;
  private ByteBuffer wrapped;
  /** File position of data[0]; data[0, filled) holds file bytes. */
  private long dataFilePosition;
  private int filled;
  private FileChannel channel;
  /** File position of the next record to parse. */
  private long position;

  private long offset;
  private long timestamp;
  private int valueIndex;
  private int valueLength;
  private String problem;

  SegmentReader() {
    this(DEFAULT_BUFFER);
  }

  SegmentReader(int bufferBytes) {
    data = new byte[bufferBytes];
    wrapped = ByteBuffer.wrap(data);
  }

  /** Starts reading {@code channel} at a record boundary; the reader does not own the channel. */
  void reset(FileChannel channel, long position) {
    this.channel = channel;
    this.position = position;
    this.dataFilePosition = position;
    this.filled = 0;
  }

  /**
   * Parses the record at the current position, reading no byte at or beyond {@code limit}.
   * END: the position is at the limit. TORN: the record does not fit before the limit.
   * CORRUPT: impossible length, or the CRC does not match ({@link #problem()} says which).
   */
  Status next(long limit) throws IOException {
    if (position >= limit) {
      return Status.END;
    }
    if (!fill(4, limit)) {
      problem = "incomplete length field";
      return Status.TORN;
    }
    int index = (int) (position - dataFilePosition);
    int length = wrapped.getInt(index);
    if (length < RecordFormat.MIN_LENGTH) {
      problem = "impossible length " + length;
      return Status.CORRUPT;
    }
    if (position + 4 + length > limit) {
      problem = "length " + length + " runs past the end";
      return Status.TORN;
    }
    fill(4 + length, limit);
    index = (int) (position - dataFilePosition);
    crc.reset();
    crc.update(data, index + RecordFormat.CRC_START, length - 4);
    if ((int) crc.getValue() != wrapped.getInt(index + RecordFormat.CRC_POSITION)) {
      problem = "CRC mismatch";
      return Status.CORRUPT;
    }
    offset = wrapped.getLong(index + 8);
    timestamp = wrapped.getLong(index + 16);
    valueIndex = index + RecordFormat.HEADER_BYTES;
    valueLength = length - RecordFormat.MIN_LENGTH;
    position += 4 + length;
    return Status.RECORD;
  }

  /** Ensures {@code n} bytes from the position are buffered; false if the limit comes first. */
  private boolean fill(int n, long limit) throws IOException {
    int index = (int) (position - dataFilePosition);
    if (index + n <= filled) {
      return true;
    }
    if (position + n > limit) {
      return false;
    }
    // Move the unread tail to the front, growing the buffer for records larger than it.
    int unread = filled - index;
    if (n > data.length) {
      byte[] bigger = new byte[Math.max(n, data.length * 2)];
      System.arraycopy(data, index, bigger, 0, unread);
      data = bigger;
      wrapped = ByteBuffer.wrap(data);
    } else {
      System.arraycopy(data, index, data, 0, unread);
    }
    dataFilePosition = position;
    filled = unread;
    while (filled < n) {
      long filePosition = dataFilePosition + filled;
      int want = (int) Math.min(data.length - filled, limit - filePosition);
      wrapped.limit(filled + want).position(filled);
      int read = channel.read(wrapped, filePosition);
      wrapped.clear();
      if (read < 0) {
        throw new IOException("segment ended at " + filePosition + " before its durable end " + limit);
      }
      filled += read;
    }
    return true;
  }

  long offset() {
    return offset;
  }

  long timestamp() {
    return timestamp;
  }

  byte[] value() {
    byte[] value = new byte[valueLength];
    System.arraycopy(data, valueIndex, value, 0, valueLength);
    return value;
  }

  /** File position after the last record returned, i.e. where the next one starts. */
  long position() {
    return position;
  }

  String problem() {
    return problem;
  }
}
