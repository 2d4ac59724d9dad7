package io.trackside.log;

/**
 * The log cannot store records now. Callers answer 503 with {@code Retry-After}: the client
 * keeps the events and sends them again, so nothing acknowledged is lost.
 */
public class LogUnavailableException extends RuntimeException {
  private final String reason;
  private final int retryAfterSeconds;

  public LogUnavailableException(String reason, String message, int retryAfterSeconds, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public LogUnavailableException(String reason, String message, int retryAfterSeconds) {
    this(reason, message, retryAfterSeconds, null);
  }

  /** A short machine-readable reason: queue_full, disk_full, log_full, closed, io_error. */
  public String reason() {
    return reason;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
