package io.trackside.core;

/**
 * One event of a request, ready for the log: its JSON (envelope merged, messageId assigned) and
 * either no reject reason (a valid event) or why it goes to quarantine.
 *
 * @param visitorKey       the partitioning key: anonymousId, else userId (null for some rejects)
 * @param contextIp        context.ip when the event carries one (a server-side sender's visitor)
 * @param contextUserAgent context.userAgent when the event carries one
 */
public record IntakeItem(String visitorKey, String messageId, byte[] json, String rejectReason, String rejectDetail,
                         String contextIp, String contextUserAgent) {

  public IntakeItem(String visitorKey, String messageId, byte[] json, String rejectReason, String rejectDetail) {
    this(visitorKey, messageId, json, rejectReason, rejectDetail, null, null);
  }

  public boolean valid() {
    return rejectReason == null;
  }

  /**
   * The event-log partitioning key: the visitor key, else (a cookieless event, or a reject
   * without ids) the client address and User-Agent, which is what the cookieless visitor id is
   * derived from — so one cookieless visitor's events stay in one partition, in order, and reach
   * one sessions worker. The event's own context.ip and context.userAgent win over the
   * connection's, as they do for the visitor id: a server-side SDK sends for many visitors.
   * Null only when nothing is known (such records go round robin).
   */
  public String logKey(String clientIp, String userAgent) {
    if (visitorKey != null) {
      return visitorKey;
    }
    if (contextIp != null) {
      clientIp = contextIp;
    }
    if (contextUserAgent != null) {
      userAgent = contextUserAgent;
    }
    if (clientIp == null && userAgent == null) {
      return null;
    }
    return clientIp + "\n" + userAgent;
  }
}
