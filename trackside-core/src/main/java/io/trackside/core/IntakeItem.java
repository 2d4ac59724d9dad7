package io.trackside.core;

/**
 * One event of a request, ready for the log: its JSON (envelope merged, messageId assigned) and
 * either no reject reason (a valid event) or why it goes to quarantine.
 *
 * @param visitorKey the partitioning key: anonymousId, else userId (null for some rejects)
 */
public record IntakeItem(String visitorKey, String messageId, byte[] json, String rejectReason, String rejectDetail) {
  public boolean valid() {
    return rejectReason == null;
  }
}
