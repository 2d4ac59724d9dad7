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

  /**
   * The event-log partitioning key: the visitor key, else (a cookieless event, or a reject
   * without ids) the client address and User-Agent, which is what the cookieless visitor id is
   * derived from — so one cookieless visitor's events stay in one partition, in order, and reach
   * one sessions worker. Null only when nothing is known (such records go round robin).
   */
  public String logKey(String clientIp, String userAgent) {
    if (visitorKey != null) {
      return visitorKey;
    }
    if (clientIp == null && userAgent == null) {
      return null;
    }
    return clientIp + "\n" + userAgent;
  }
}
