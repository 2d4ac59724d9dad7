package io.trackside.warehouse;

import java.util.List;
import java.util.Map;

/**
 * What one log consumer read since its last write: written in one transaction together with
 * {@code nextOffsets}, the consumer's new log positions, so the database alone says how far
 * the rows it holds go.
 *
 * @param consumer    the consumer group whose positions these are (for example "warehouse")
 * @param nextOffsets per log partition, the next offset to read after this batch
 * @param fence       checked in the write's transaction when several nodes share the warehouse;
 *                    null when this node is the only writer
 */
public record WarehouseBatch(String consumer, List<LoggedEvent> events, List<QuarantinedRecord> quarantined,
                             Map<Integer, Long> nextOffsets, WriteFence fence) {

  public WarehouseBatch(String consumer, List<LoggedEvent> events, List<QuarantinedRecord> quarantined,
                        Map<Integer, Long> nextOffsets) {
    this(consumer, events, quarantined, nextOffsets, null);
  }

  public WarehouseBatch {
    events = List.copyOf(events);
    quarantined = List.copyOf(quarantined);
    nextOffsets = Map.copyOf(nextOffsets);
  }

  public int size() {
    return events.size() + quarantined.size();
  }
}
