package io.trackside.log;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A member of a consumer group reading its assigned partitions, starting at the group's
 * committed positions. Used by one thread at a time. Commit after processing: a crash before
 * the commit means redelivery (at-least-once), never loss.
 */
public interface LogConsumer extends AutoCloseable {

  /** Up to {@code maxRecords} records from the assigned partitions, waiting up to {@code timeout} for some. */
  List<StoredRecord> poll(int maxRecords, Duration timeout) throws InterruptedException;

  /** Moves the read position of a partition (for example to a position a database holds). */
  void seek(int partition, long offset);

  /** Commits next-offsets-to-read, durably, for the partitions given. */
  void commit(Map<Integer, Long> nextOffsets);

  @Override
  void close();
}
