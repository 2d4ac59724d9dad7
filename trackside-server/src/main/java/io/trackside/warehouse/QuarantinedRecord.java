package io.trackside.warehouse;

import java.time.Instant;

/**
 * Something that reached the log but is not a valid event, stored with why (promise 6), so it
 * can be inspected and replayed.
 *
 * @param reason    short machine-readable reason (the collector's, or "undecodable")
 * @param messageId when it could be read from the payload, else null
 * @param payload   the bytes as received; stored as text, invalid UTF-8 replaced
 * @param ip        the client address truncated (IPv4 /24, IPv6 /48), or null; kept so that a
 *                  replay can still look up the country and derive the cookieless id roughly,
 *                  without the quarantine ever holding a full address
 * @param userAgent the request's User-Agent header, or null; kept for a replay's device fields
 */
public record QuarantinedRecord(Instant receivedAt, String source, String reason, String detail,
                                String messageId, byte[] payload, int logPartition, long logOffset,
                                String ip, String userAgent) {

  /** Without request metadata (a replay of it works from the payload alone). */
  public QuarantinedRecord(Instant receivedAt, String source, String reason, String detail, String messageId,
                           byte[] payload, int logPartition, long logOffset) {
    this(receivedAt, source, reason, detail, messageId, payload, logPartition, logOffset, null, null);
  }
}
