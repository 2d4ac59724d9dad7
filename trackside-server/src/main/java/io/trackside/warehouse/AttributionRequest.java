package io.trackside.warehouse;

import java.util.Locale;

/**
 * Which attribution to compute.
 *
 * @param lookbackDays touches are sessions that started at most this many days before the order
 */
public record AttributionRequest(Model model, By by, int lookbackDays) {
  public static final int MAX_LOOKBACK_DAYS = 365;

  public enum Model {
    FIRST_TOUCH, LAST_TOUCH, LINEAR, POSITION_BASED;

    public static Model parse(String name) {
      for (Model m : values()) {
        if (m.wire().equals(name)) {
          return m;
        }
      }
      throw new IllegalArgumentException("model must be first_touch, last_touch, linear or position_based; got '"
          + name + "'");
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a touch is credited to: its session's channel, or its session's utm_campaign. */
  public enum By {
    CHANNEL("channel"), CAMPAIGN("utm_campaign");

    final String column;

    By(String column) {
      this.column = column;
    }

    public static By parse(String name) {
      for (By b : values()) {
        if (b.wire().equals(name)) {
          return b;
        }
      }
      throw new IllegalArgumentException("by must be channel or campaign; got '" + name + "'");
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public AttributionRequest {
    if (model == null || by == null) {
      throw new IllegalArgumentException("model and by are needed");
    }
    if (lookbackDays < 1 || lookbackDays > MAX_LOOKBACK_DAYS) {
      throw new IllegalArgumentException("lookbackDays must be 1 to " + MAX_LOOKBACK_DAYS + ", got " + lookbackDays);
    }
  }
}
