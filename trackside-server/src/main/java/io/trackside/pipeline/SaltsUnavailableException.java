package io.trackside.pipeline;

/**
 * The shared salt store (PostgreSQL) cannot give a day's key. No private key may stand in for it:
 * the ids it gave would differ from every other node's for the same visitor.
 */
final class SaltsUnavailableException extends RuntimeException {

  SaltsUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
