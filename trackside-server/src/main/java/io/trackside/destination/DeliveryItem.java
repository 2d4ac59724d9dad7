package io.trackside.destination;

/**
 * One enriched-log record on its way to one destination, until it is settled: delivered,
 * filtered or dead-lettered. Only settled items let the destination's position move past them.
 */
final class DeliveryItem {
  final int partition;
  final long offset;
  final byte[] record;
  /** Null when the record could not be read. */
  final DeliveryEvent event;
  final String decodeError;
  Mapped.Send send;
  volatile boolean settled;
  /** Whether the platform accepted it (a replay marks only those as done). */
  volatile boolean delivered;

  DeliveryItem(int partition, long offset, byte[] record) {
    this.partition = partition;
    this.offset = offset;
    this.record = record;
    DeliveryEvent decoded = null;
    String error = null;
    try {
      decoded = EnrichedLogRecords.decode(record, partition, offset);
    } catch (RuntimeException e) {
      error = e.getMessage();
    }
    this.event = decoded;
    this.decodeError = error;
  }
}
