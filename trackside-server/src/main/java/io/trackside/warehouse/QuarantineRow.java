package io.trackside.warehouse;

import java.time.Instant;

/** One row of the quarantine table, as a replay reads it. */
public record QuarantineRow(String id, Instant receivedAt, String source, String reason, String detail,
                            String messageId, String payload, int logPartition, long logOffset,
                            String ip, String userAgent) {
}
