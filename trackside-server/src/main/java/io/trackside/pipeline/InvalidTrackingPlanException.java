package io.trackside.pipeline;

/**
 * A tracking plan that cannot be used: unreadable, not JSON/YAML, of the wrong shape, or with a
 * schema that is not valid JSON Schema. The message names the file, the event and the problem,
 * so that it can be shown to the operator as it is (start-up error, reload answer).
 */
public final class InvalidTrackingPlanException extends Exception {

  public InvalidTrackingPlanException(String message) {
    super(message);
  }

  public InvalidTrackingPlanException(String message, Throwable cause) {
    super(message, cause);
  }
}
