package io.trackside.pipeline;

/** An IP database that is configured but cannot be used; the message names the setting. */
public final class GeoDatabaseException extends Exception {

  public GeoDatabaseException(String message) {
    super(message);
  }
}
