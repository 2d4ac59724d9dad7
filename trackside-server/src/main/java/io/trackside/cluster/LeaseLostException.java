package io.trackside.cluster;

import java.sql.SQLException;

/**
 * This node no longer owns a partition it is about to write: another node took it over (or this
 * node let it go). An {@link SQLException} so that it aborts the warehouse write like any refused
 * write does; the rows stay uncommitted and the new owner reads them from the log again.
 */
public final class LeaseLostException extends SQLException {
  LeaseLostException(String message) {
    super(message, "TSL01");
  }
}
