package io.trackside.warehouse;

import java.util.List;

/**
 * Orders and revenue credited to channels or campaigns. Credits of one order add up to 1, so
 * the rows' conversions add up to {@code totalConversions} (up to rounding).
 */
public record AttributionResult(List<Row> rows, long totalConversions, double totalRevenue) {

  /** @param value the channel or campaign; {@code (none)} when the touch had none */
  public record Row(String value, double conversions, double revenue) {
  }
}
