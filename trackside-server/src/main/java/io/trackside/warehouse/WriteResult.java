package io.trackside.warehouse;

import java.util.List;

/**
 * @param written              events appended
 * @param duplicates           events skipped because the same (source, messageId) was already stored
 * @param quarantined          quarantine rows appended, including events the events table could not hold
 *                             (reason {@value Warehouse#UNSTORABLE})
 * @param suppressed           events left out because one of their ids was suppressed meanwhile
 * @param suppressedQuarantine quarantined records of the batch left out for the same reason
 */
public record WriteResult(int written, int duplicates, int quarantined, int suppressed,
                          List<QuarantinedRecord> suppressedQuarantine) {

  public WriteResult {
    suppressedQuarantine = List.copyOf(suppressedQuarantine);
  }

  public WriteResult(int written, int duplicates, int quarantined) {
    this(written, duplicates, quarantined, 0, List.of());
  }
}
