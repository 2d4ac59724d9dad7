package io.trackside.log;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The durable, partitioned event log between the collectors and every sink. Kafka semantics,
 * so a Kafka implementation can replace the embedded one without touching the pipeline:
 * records are keyed (one key always lands in one partition, so a visitor's events stay
 * ordered), each partition has increasing offsets, and each named consumer group reads from
 * its own committed position.
 */
public interface EventLog extends AutoCloseable {

  int partitions();

  /**
   * Appends records. The returned future completes only once every record is durable (fsynced);
   * it completes exceptionally with {@link LogUnavailableException} when the log cannot take them
   * (queue full, disk full, over its size limit, closing). Never blocks the caller.
   */
  CompletableFuture<Void> append(List<LogRecord> records);

  /** A consumer of the named group that reads the given partitions. */
  LogConsumer consumer(String group, Collection<Integer> partitions);

  /** Next offset to be written in a partition (the durable end; consumers never read past it). */
  long endOffset(int partition);

  /** The committed position (next offset to read) of a group in a partition; 0 if none. */
  long committedOffset(String group, int partition);

  /** Whether the group has ever committed a position (a new group may choose where to start). */
  boolean hasCommitted(String group);

  /**
   * Whether the group has committed a position in this partition: a reader that takes a partition
   * over tells "never read" (start where the destination started) from "read up to 0".
   */
  default boolean hasCommitted(String group, int partition) {
    return hasCommitted(group);
  }

  /** Total bytes of the log on disk. */
  long sizeBytes();

  /** Null when healthy, otherwise what is wrong, for /readyz. */
  String problem();

  @Override
  void close();
}
