package io.trackside.warehouse;

/**
 * @param written     events appended
 * @param duplicates  events skipped because the same (source, messageId) was already stored
 * @param quarantined quarantine rows appended, including events the events table could not hold
 *                    (reason {@value DuckDbWarehouse#UNSTORABLE})
 */
public record WriteResult(int written, int duplicates, int quarantined) {
}
