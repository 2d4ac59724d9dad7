package io.trackside.log;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One append() call waiting for the writer: its records succeed or fail together. */
record PendingAppend(List<LogRecord> records, long bytes, CompletableFuture<Void> future) {
}
