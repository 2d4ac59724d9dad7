package io.trackside.log;

/** A record to append: the partitioning key (a visitor id), its timestamp, and the payload. */
public record LogRecord(String key, long timestampMillis, byte[] value) {
}
