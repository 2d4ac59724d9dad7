package io.trackside.log;

/**
 * A record to append: the partitioning key (a visitor id), its timestamp, and the payload.
 *
 * @param partition the partition to append to, or -1 to choose by key (as Kafka's producer
 *                  record: a derived log keeps each record in the partition its source came from)
 */
public record LogRecord(String key, long timestampMillis, byte[] value, int partition) {

  public LogRecord(String key, long timestampMillis, byte[] value) {
    this(key, timestampMillis, value, -1);
  }

  /**
   * What a log checks before it takes a batch: no null record or value, no partition beyond
   * the log's. Returns the batch's size by {@code size}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static long checkedBytes(java.util.List<LogRecord> records, int partitions,
                           java.util.function.ToLongFunction<LogRecord> size) {
    long bytes = 0;
    for (LogRecord record : records) {
      if (record == null || record.value() == null) {
        throw new IllegalArgumentException("null record or record value");
      }
      if (record.partition() >= partitions) {
        throw new IllegalArgumentException("partition " + record.partition() + " does not exist; the log has "
            + partitions);
      }
      bytes += size.applyAsLong(record);
    }
    return bytes;
  }
}
