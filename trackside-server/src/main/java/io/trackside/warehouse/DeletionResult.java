package io.trackside.warehouse;

import java.time.Instant;
import java.util.List;

/**
 * What a privacy deletion did.
 *
 * @param auditId      the entry in {@code privacy_audit}
 * @param userIds      the user ids erased and suppressed
 * @param anonymousIds the anonymous ids (and alias previousIds) erased and suppressed
 * @param events       rows deleted from {@code events}
 * @param quarantine   rows deleted from {@code quarantine}
 * @param identities   rows deleted from {@code identities}
 */
public record DeletionResult(long auditId, Instant at, List<String> userIds, List<String> anonymousIds,
                             long events, long quarantine, long identities) {
}
