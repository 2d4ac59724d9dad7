package io.trackside.destination;

import java.time.Instant;

/**
 * An event a destination gave up on, with why and what was said: the request sent (if any), the
 * platform's answer, and the event itself so that it can be replayed once the cause is fixed.
 *
 * @param reason a short code for metrics and filters (too_old, http_400, rejected, ...)
 * @param detail the full explanation: the platform's message, the rule broken
 */
public record DeadLetter(String destination, String eventId, String messageId, String userId, String anonymousId,
                         int logPartition, long logOffset, Instant eventTime, Instant deadAt, String reason,
                         String detail, Integer status, String request, String response, String event) {
}
