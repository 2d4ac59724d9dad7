package io.trackside.warehouse;

import java.util.List;
import java.util.Map;

/**
 * What a funnel asks: its steps in order, the window they must fall in, and an optional
 * breakdown.
 *
 * @param windowDays null for "all steps in one session", else N: every step within N days of
 *                   the first, by the same person (across sessions and devices)
 * @param breakdown  null, or one of {@link #BREAKDOWNS}
 */
public record FunnelRequest(List<FunnelStep> steps, Integer windowDays, String breakdown) {
  public static final int MAX_STEPS = 10;
  public static final int MAX_WINDOW_DAYS = 365;
  /** Breakdown names and what each reads: the session's acquisition, or the first step's device. */
  static final Map<String, String> BREAKDOWNS = Map.of("channel", "channel", "utm_campaign", "utm_campaign",
      "device", "device_class");

  public FunnelRequest {
    if (steps == null || steps.size() < 2 || steps.size() > MAX_STEPS) {
      throw new IllegalArgumentException("a funnel has 2 to " + MAX_STEPS + " steps");
    }
    steps = List.copyOf(steps);
    if (windowDays != null && (windowDays < 1 || windowDays > MAX_WINDOW_DAYS)) {
      throw new IllegalArgumentException("window must be session or Nd with 1 ≤ N ≤ " + MAX_WINDOW_DAYS);
    }
    if (breakdown != null && !BREAKDOWNS.containsKey(breakdown)) {
      throw new IllegalArgumentException("breakdown must be channel, utm_campaign, device or none; got '"
          + breakdown + "'");
    }
  }

  public boolean sessionWindow() {
    return windowDays == null;
  }

  /** The window as the API writes it: {@code session} or {@code Nd}. */
  public String window() {
    return windowDays == null ? "session" : windowDays + "d";
  }
}
