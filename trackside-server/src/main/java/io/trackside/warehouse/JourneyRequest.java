package io.trackside.warehouse;

/**
 * Where a journey starts and which way it looks.
 *
 * @param startKind  a page view or a track event
 * @param start      the page path or event name
 * @param next       true for the steps after the start, false for the steps that led to it
 * @param depth      how many steps away from the start, 1 to {@link #MAX_DEPTH}
 */
public record JourneyRequest(FunnelStep.Kind startKind, String start, boolean next, int depth) {
  public static final int MAX_DEPTH = 5;

  public JourneyRequest {
    if (startKind == null || start == null || start.isEmpty() || start.length() > FunnelStep.MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException("start must be page:/path or event:Name");
    }
    if (depth < 1 || depth > MAX_DEPTH) {
      throw new IllegalArgumentException("depth must be 1 to " + MAX_DEPTH + ", got " + depth);
    }
  }

  /** The start as the API writes it: {@code page:/pricing} or {@code event:Signed Up}. */
  public String startText() {
    return (startKind == FunnelStep.Kind.PAGE ? "page:" : "event:") + start;
  }
}
