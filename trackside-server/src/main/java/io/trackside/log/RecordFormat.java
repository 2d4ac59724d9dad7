package io.trackside.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of one record, big-endian:
 *
 * <pre>
 *   int  length     bytes that follow this field (crc + offset + timestamp + value)
 *   int  crc32c     over offset, timestamp and value
 *   long offset
 *   long timestamp  epoch millis
 *   byte[] value
 * </pre>
 *
 * The length comes first so that a reader can tell a torn tail (length points past the end of
 * the file) from the next record; the CRC catches records whose bytes were only partly written.
 */
final class RecordFormat {
  static final int HEADER_BYTES = 24;
  /** Smallest valid length field: a record with an empty value. */
  static final int MIN_LENGTH = HEADER_BYTES - 4;
  static final int CRC_POSITION = 4;
  /** The CRC covers everything from here to the end of the record. */
  static final int CRC_START = 8;

  private RecordFormat() {
  }

  static int sizeOf(byte[] value) {
    return HEADER_BYTES + value.length;
  }

  /** Writes one record at the buffer's position; the buffer must have room for {@link #sizeOf}. */
  static void encode(ByteBuffer buf, long offset, long timestampMillis, byte[] value, CRC32C crc) {
    int start = buf.position();
    buf.putInt(MIN_LENGTH + value.length);
    buf.putInt(0);
    buf.putLong(offset);
    buf.putLong(timestampMillis);
    buf.put(value);
    int end = buf.position();
    int limit = buf.limit();
    // Checksum straight from the buffer (intrinsic for direct buffers) without copying the value again.
    buf.position(start + CRC_START).limit(end);
    crc.reset();
    crc.update(buf);
    buf.limit(limit).position(end);
    buf.putInt(start + CRC_POSITION, (int) crc.getValue());
  }
}
