package io.trackside.destination;

import java.time.Instant;

/**
 * One enriched-log record on its way to one destination, until it is settled: delivered,
 * filtered or dead-lettered. Only settled items let the destination's position move past them.
 *
 * <p>A read window holds thousands of these for as long as its requests take — minutes while a
 * platform is down — so once the item is mapped its decoded event (a JSON tree several times the
 * record's size) is let go: what a dead letter or the age check still needs is kept in fields.
 */
final class DeliveryItem {
  final int partition;
  final long offset;
  final byte[] record;
  /** The decoded event until it is mapped (then null); null from the start when the record could not be read. */
  DeliveryEvent event;
  final String decodeError;
  final String eventId;
  final String messageId;
  final String userId;
  final String anonymousId;
  final Instant timestamp;
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
    this.eventId = decoded == null ? null : decoded.eventId();
    this.messageId = decoded == null ? null : decoded.messageId();
    this.userId = decoded == null ? null : decoded.userId();
    this.anonymousId = decoded == null ? null : decoded.anonymousId();
    this.timestamp = decoded == null ? null : decoded.timestamp();
  }

  /** Lets the decoded event go once the item is mapped or settled. */
  void releaseEvent() {
    event = null;
  }
}
