package io.trackside.warehouse;

import java.util.List;

/**
 * What a replay decided about a page of quarantine rows, settled in one transaction by
 * {@link DuckDbWarehouse#resolveQuarantine}: events that now pass are written and their rows
 * removed, rows whose events the pipeline now drops are removed, and the rest stay with their
 * (possibly new) reason.
 */
public record QuarantineResolution(List<Passed> passed, List<String> removedIds, List<Failed> stillFailing) {

  /** An event that passed: written to the events table (unless already there), its row removed. */
  public record Passed(String quarantineId, LoggedEvent event) {
  }

  /** A row that stays, with the reason and detail the replay found. */
  public record Failed(String quarantineId, String reason, String detail) {
  }

  /**
   * @param written    events appended to the events table
   * @param duplicates events not appended because the same source and messageId were already
   *                   stored; their rows were removed all the same (the event is there)
   * @param unstorable events that passed the pipeline but do not fit the table; their rows stay
   *                   with reason {@value Warehouse#UNSTORABLE}
   */
  public record Result(int written, int duplicates, int unstorable) {
  }

  public QuarantineResolution {
    passed = List.copyOf(passed);
    removedIds = List.copyOf(removedIds);
    stillFailing = List.copyOf(stillFailing);
  }
}
