package io.trackside.core;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters of a gtag.js hit (protocols.md §3.1): the query string, and in a batched POST
 * each line of the body, all written like a URL query ({@code en=page_view&ep.x=1}) with
 * {@code encodeURIComponent}. A line's parameters are merged over the query's shared ones.
 */
final class GtagParams {

  private GtagParams() {
  }

  /**
   * Decodes {@code a=1&b=x%20y} into name → value in order of appearance; a name without
   * {@code =} has the value "". When a name repeats, the first value wins (as
   * {@code URLSearchParams.get} reads it).
   *
   * @throws IllegalArgumentException for a malformed percent escape, which encodeURIComponent
   *                                  never writes
   */
  static Map<String, String> parse(String text) {
    Map<String, String> params = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return params;
    }
    int start = 0;
    while (start <= text.length()) {
      int amp = text.indexOf('&', start);
      int end = amp < 0 ? text.length() : amp;
      if (end > start) {
        int eq = text.indexOf('=', start);
        String name;
        String value;
        if (eq < 0 || eq > end) {
          name = decode(text.substring(start, end));
          value = "";
        } else {
          name = decode(text.substring(start, eq));
          value = decode(text.substring(eq + 1, end));
        }
        if (!name.isEmpty()) {
          params.putIfAbsent(name, value);
        }
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return params;
  }

  /** The shared parameters with one line's over them. */
  static Map<String, String> merge(Map<String, String> shared, Map<String, String> line) {
    Map<String, String> merged = new LinkedHashMap<>(shared);
    merged.putAll(line);
    return merged;
  }

  static String decode(String text) {
    if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
      return text;
    }
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
