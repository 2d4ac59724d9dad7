package io.trackside.server;

/** A setting that cannot work; the message says which one and what to do. */
public class ConfigException extends Exception {
  ConfigException(String message) {
    super(message);
  }
}
