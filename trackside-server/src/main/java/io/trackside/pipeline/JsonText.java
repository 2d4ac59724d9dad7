package io.trackside.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading scalar JSON fields as text, the way every step needs it. */
final class JsonText {

  private JsonText() {
  }

  /** The field as text if it is a non-null scalar (numbers as their text), else null. */
  static String text(JsonNode parent, String field) {
    JsonNode node = parent == null ? null : parent.get(field);
    return node != null && node.isValueNode() && !node.isNull() ? node.asText() : null;
  }

  static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
