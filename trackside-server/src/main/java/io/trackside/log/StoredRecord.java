package io.trackside.log;

/** A record read back from the log, with its position. */
public record StoredRecord(int partition, long offset, long timestampMillis, byte[] value) {
}
