package io.trackside.server;

/** Trackside cannot start; the message says why and what to do. */
class StartupException extends Exception {
  StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
