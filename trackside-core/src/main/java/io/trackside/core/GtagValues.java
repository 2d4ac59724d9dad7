package io.trackside.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;

/** gtag parameter values (all text on the wire) as the JSON values of a Segment event. */
final class GtagValues {

  private GtagValues() {
  }

  /**
   * A number for numeric text ({@code epn.*}, prices, quantities): a whole number as an integer,
   * else a double; text that is no finite number stays text rather than being lost; null for
   * empty text.
   */
  static JsonNode number(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String trimmed = text.strip();
    BigDecimal value;
    try {
      value = new BigDecimal(trimmed);
    } catch (NumberFormatException notANumber) {
      return TextNode.valueOf(text);
    }
    if (value.signum() == 0 || value.stripTrailingZeros().scale() <= 0) {
      try {
        return LongNode.valueOf(value.longValueExact());
      } catch (ArithmeticException tooLarge) {
        // falls through to a double
      }
    }
    double d = value.doubleValue();
    return Double.isFinite(d) ? DoubleNode.valueOf(d) : TextNode.valueOf(text);
  }

  /** A whole number for digits (ids and counters gtag writes as integers), else the text; null for empty. */
  static JsonNode integerOrText(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (text.length() <= 18 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return LongNode.valueOf(Long.parseLong(text));
    }
    return TextNode.valueOf(text);
  }

  /** gtag's flags: "1" (and "true") are true, "0" (and "false") false; null for anything else. */
  static BooleanNode flag(String text) {
    if (text == null) {
      return null;
    }
    return switch (text) {
      case "1", "true" -> BooleanNode.TRUE;
      case "0", "false" -> BooleanNode.FALSE;
      default -> null;
    };
  }
}
