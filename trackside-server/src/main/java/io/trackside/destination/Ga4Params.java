package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;

/** Segment properties as GA4 parameter values, within GA4's limits (protocols.md §2.3). */
final class Ga4Params {

  private Ga4Params() {
  }

  /**
   * The event's other properties as custom parameters, after what the mapping already set (which
   * a property of the same name never replaces): names sanitised ({@link Ga4Names#paramName}),
   * values by {@link #scalar}, nested objects and arrays dropped (GA4 takes only strings and
   * numbers), until the event has 25 parameters.
   *
   * @param consumed property names the mapping has already turned into parameters or items
   */
  static void putCustom(ObjectNode params, JsonNode properties, Set<String> consumed) {
    for (Map.Entry<String, JsonNode> property : properties.properties()) {
      if (params.size() >= Ga4Validation.MAX_PARAMS) {
        return;
      }
      if (consumed.contains(property.getKey())) {
        continue;
      }
      String name = Ga4Names.paramName(property.getKey());
      if (name == null || params.has(name)) {
        continue;
      }
      JsonNode value = scalar(property.getValue(), maxLength(name));
      if (value != null) {
        params.set(name, value);
      }
    }
  }

  /** How long a text value of this parameter may be. */
  static int maxLength(String param) {
    return Ga4Validation.LONGER_PARAMS.getOrDefault(param, Ga4Validation.MAX_PARAM_VALUE);
  }

  /**
   * A string or a number GA4 takes: text cut to {@code maxLength} characters, numbers as they
   * are, booleans as "true"/"false" (GA4 has no boolean parameters; as text they stay readable
   * in reports). Null for null, empty text, objects and arrays.
   */
  static JsonNode scalar(JsonNode value, int maxLength) {
    if (value == null || value.isNull() || value.isContainerNode() || value.isMissingNode()) {
      return null;
    }
    if (value.isNumber()) {
      return Double.isFinite(value.asDouble()) ? value : null;
    }
    if (value.isBoolean()) {
      return TextNode.valueOf(value.asText());
    }
    String text = value.asText();
    return text.isEmpty() ? null : TextNode.valueOf(truncate(text, maxLength));
  }

  /** Text cut to at most {@code max} characters, never between the two halves of a surrogate pair. */
  static String truncate(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end);
  }

  /** A number from a JSON number or numeric text ("19.99"); null otherwise. */
  static BigDecimal number(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isNumber()) {
      return Double.isFinite(value.asDouble()) ? value.decimalValue() : null;
    }
    if (value.isTextual()) {
      try {
        BigDecimal n = new BigDecimal(value.textValue().strip());
        return Double.isFinite(n.doubleValue()) ? n : null; // "1e99999" would print as Infinity, which is not JSON
      } catch (NumberFormatException notANumber) {
        return null;
      }
    }
    return null;
  }

  /** A number node: whole numbers as integers (quantity 2, not 2.0), others as doubles. */
  static JsonNode numberNode(BigDecimal n) {
    BigDecimal stripped = n.stripTrailingZeros();
    if (stripped.scale() <= 0 && stripped.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0) {
      return LongNode.valueOf(stripped.longValueExact());
    }
    return DoubleNode.valueOf(n.doubleValue());
  }
}
