package io.trackside.core;

/**
 * A whole request that retrying cannot fix: invalid JSON, over a limit. Answered with 400 and a
 * JSON body {@code {"code","message"}} (Segment's clients retry anything but 400).
 */
public class IntakeException extends Exception {
  private final String code;

  public IntakeException(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
