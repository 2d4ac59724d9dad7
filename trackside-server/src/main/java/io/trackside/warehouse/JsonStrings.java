package io.trackside.warehouse;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Map;

/**
 * JSON text for the few shapes the events table stores besides the event's own objects: a list
 * of strings, a map of strings, an object node. The text is exactly what Jackson's
 * {@code ObjectMapper.writeValueAsString} and {@code ObjectNode.toString} write (same escaping,
 * same order), only without setting up a serializer for each value.
 */
final class JsonStrings {

  private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();

  private JsonStrings() {
  }

  /** {@code ["a","b"]}; a null element as {@code null}. */
  static String array(Collection<String> values) {
    StringBuilder json = new StringBuilder(16 * values.size() + 2).append('[');
    boolean first = true;
    for (String value : values) {
      if (!first) {
        json.append(',');
      }
      first = false;
      string(json, value);
    }
    return json.append(']').toString();
  }

  /** {@code {"k":"v"}} in the map's iteration order; a null value as {@code null}. */
  static String object(Map<String, String> values) {
    StringBuilder json = new StringBuilder(32 * values.size() + 2).append('{');
    boolean first = true;
    for (Map.Entry<String, String> entry : values.entrySet()) {
      if (!first) {
        json.append(',');
      }
      first = false;
      string(json, entry.getKey());
      json.append(':');
      string(json, entry.getValue());
    }
    return json.append('}').toString();
  }

  /** The node's text; an empty object (most events' traits and integrations) costs nothing. */
  static String node(ObjectNode node) {
    return node.isEmpty() ? "{}" : node.toString();
  }

  private static void string(StringBuilder json, String value) {
    if (value == null) {
      json.append("null");
    } else {
      json.append('"');
      ESCAPE.quoteAsString(value, json);
      json.append('"');
    }
  }
}
