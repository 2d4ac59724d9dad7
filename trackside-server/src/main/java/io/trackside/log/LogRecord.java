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
}
