package io.trackside.pipeline;

import com.networknt.schema.Error;
import java.util.Locale;

/**
 * Short, readable violation messages ({@code total: must be a number}) from the validator's
 * errors, which are phrased for developers ({@code string found, number expected} at
 * {@code /total}). Bounded in length: property names and values come from clients.
 */
final class PlanViolationText {

  static final int MAX_CHARS = 200;
  private static final int MAX_NAME_CHARS = 80;

  private PlanViolationText() {
  }

  /** @param root what the schema validates ("properties" or "traits"), named when the error is at the top */
  static String of(Error error, String root) {
    String path = path(error.getInstanceLocation() == null ? "" : error.getInstanceLocation().toString());
    String keyword = error.getKeyword() == null ? "" : error.getKeyword();
    Object[] args = error.getArguments() == null ? new Object[0] : error.getArguments();
    String text = switch (keyword) {
      case "required" -> join(path, error.getProperty()) + ": is required";
      case "additionalProperties", "unevaluatedProperties" -> join(path, error.getProperty()) + ": is not in the plan";
      case "type" -> orRoot(path, root) + ": must be " + typeWords(args.length > 1 ? String.valueOf(args[1]) : "?");
      case "enum" -> orRoot(path, root) + ": must be one of " + unbracket(args.length > 0 ? String.valueOf(args[0]) : "?");
      case "const" -> orRoot(path, root) + ": must be " + (args.length > 0 ? String.valueOf(args[0]) : "a fixed value");
      case "format" -> orRoot(path, root) + ": must be a valid " + (args.length > 0 ? String.valueOf(args[0]) : "value");
      default -> orRoot(path, root) + ": " + error.getMessage();
    };
    return text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS - 1) + "…" : text;
  }

  /** "/items/0/sku" → "items.0.sku" (JSON Pointer escapes undone). */
  static String path(String pointer) {
    if (pointer.isEmpty() || pointer.equals("/") || pointer.equals("$")) {
      return "";
    }
    StringBuilder out = new StringBuilder(pointer.length());
    for (String part : pointer.substring(pointer.startsWith("/") ? 1 : 0).split("/", -1)) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(shorten(part.replace("~1", "/").replace("~0", "~")));
    }
    return out.toString();
  }

  private static String join(String path, String property) {
    String name = property == null ? "?" : shorten(property);
    return path.isEmpty() ? name : path + "." + name;
  }

  private static String orRoot(String path, String root) {
    return path.isEmpty() ? root : path;
  }

  private static String shorten(String name) {
    return name.length() > MAX_NAME_CHARS ? name.substring(0, MAX_NAME_CHARS) + "…" : name;
  }

  /** "number" → "a number"; "[string, null]" → "one of string, null". */
  private static String typeWords(String expected) {
    if (expected.startsWith("[")) {
      return "one of " + unbracket(expected);
    }
    return switch (expected.toLowerCase(Locale.ROOT)) {
      case "integer", "object", "array" -> "an " + expected;
      case "null" -> "null";
      default -> "a " + expected;
    };
  }

  private static String unbracket(String list) {
    return list.startsWith("[") && list.endsWith("]") ? list.substring(1, list.length() - 1) : list;
  }
}
