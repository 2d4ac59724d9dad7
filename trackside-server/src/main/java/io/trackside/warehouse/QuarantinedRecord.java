package io.trackside.warehouse;

import java.time.Instant;

/**
 * Something that reached the log but is not a valid event, stored with why (promise 6), so it
 * can be inspected and replayed.
 *
 * @param reason    short machine-readable reason (the collector's, or "undecodable")
 * @param messageId when it could be read from the payload, else null
 * @param payload   the bytes as received; stored as text, invalid UTF-8 replaced
 */
public record QuarantinedRecord(Instant receivedAt, String source, String reason, String detail,
                                String messageId, byte[] payload, int logPartition, long logOffset) {
}
