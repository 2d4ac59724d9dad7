package io.trackside.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * User-Agent Client Hints as analytics.js sends them in {@code context.userAgentData}
 * ({@code navigator.userAgentData}: {@code brands}, {@code mobile}, {@code platform}, and the
 * high-entropy values when the site asked for them: {@code platformVersion}, {@code model},
 * {@code architecture}, {@code bitness}, {@code wow64}, {@code fullVersionList},
 * {@code uaFullVersion}), turned back into the {@code Sec-CH-UA*} headers Yauaa reads.
 *
 * <p>Why bother: Chrome freezes its User-Agent string ("Windows NT 10.0", "Android 10; K"), so
 * only the hints tell Windows 11 from 10, the Android version, or Brave from Chrome.
 *
 * <p>analytics.js sends the low-entropy hints with every event from a Chromium browser, so this
 * is the common path: it writes the user agent and the hints as header lines straight into one
 * string, the cache key, and only a cache miss turns that back into a header map for Yauaa.
 */
final class ClientHints {

  /** Longer values are not hints a browser sends; ignoring them keeps hostile input out of the cache. */
  private static final int MAX_VALUE_LENGTH = 100;
  private static final int MAX_BRANDS = 10;

  private ClientHints() {
  }

  /** For tests and one-off callers. */
  static String cacheKey(String userAgent, JsonNode userAgentData) {
    return cacheKey(userAgent, userAgentData, new StringBuilder());
  }

  /**
   * The user agent itself when there are no usable hints; else the user agent, a newline and one
   * {@code Header:value} line per hint. {@link #headers} reads it back.
   *
   * @param scratch reused by the caller (one per worker) so that only the key itself is allocated
   */
  static String cacheKey(String userAgent, JsonNode userAgentData, StringBuilder scratch) {
    if (userAgent == null || userAgent.length() > UserAgentParser.MAX_LENGTH || userAgentData == null
        || !userAgentData.isObject()) {
      return userAgent;
    }
    scratch.setLength(0);
    scratch.append(userAgent).append('\n');
    int bare = scratch.length();
    appendBrands(scratch, "Sec-CH-UA", userAgentData.get("brands"));
    appendBrands(scratch, "Sec-CH-UA-Full-Version-List", userAgentData.get("fullVersionList"));
    appendBoolean(scratch, "Sec-CH-UA-Mobile", userAgentData.get("mobile"));
    appendBoolean(scratch, "Sec-CH-UA-WoW64", userAgentData.get("wow64"));
    appendString(scratch, "Sec-CH-UA-Platform", userAgentData.get("platform"));
    appendString(scratch, "Sec-CH-UA-Platform-Version", userAgentData.get("platformVersion"));
    appendString(scratch, "Sec-CH-UA-Model", userAgentData.get("model"));
    appendString(scratch, "Sec-CH-UA-Arch", userAgentData.get("architecture"));
    appendString(scratch, "Sec-CH-UA-Bitness", userAgentData.get("bitness"));
    appendString(scratch, "Sec-CH-UA-Full-Version", userAgentData.get("uaFullVersion"));
    return scratch.length() == bare ? userAgent : scratch.toString();
  }

  /** The request headers a cache key stands for: User-Agent and the hints. */
  static Map<String, String> headers(String userAgent, String cacheKey) {
    Map<String, String> headers = new HashMap<>();
    headers.put("User-Agent", userAgent);
    int at = userAgent.length() + 1; // the user agent may hold any character, the hint lines only sane ones
    while (at < cacheKey.length()) {
      int end = cacheKey.indexOf('\n', at);
      int colon = cacheKey.indexOf(':', at);
      headers.put(cacheKey.substring(at, colon), cacheKey.substring(colon + 1, end));
      at = end + 1;
    }
    return headers;
  }

  /** [{"brand":"Chromium","version":"138"}, ...] as {@code "Chromium";v="138", ...}; all or nothing. */
  private static void appendBrands(StringBuilder out, String header, JsonNode brands) {
    if (brands == null || !brands.isArray() || brands.isEmpty() || brands.size() > MAX_BRANDS) {
      return;
    }
    int start = out.length();
    out.append(header).append(':');
    boolean first = true;
    for (JsonNode entry : brands) {
      String brand = JsonText.text(entry, "brand");
      String version = JsonText.text(entry, "version");
      if (!sane(brand) || !sane(version)) {
        out.setLength(start);
        return;
      }
      if (!first) {
        out.append(", ");
      }
      first = false;
      out.append('"').append(brand).append("\";v=\"").append(version).append('"');
    }
    out.append('\n');
  }

  private static void appendBoolean(StringBuilder out, String header, JsonNode value) {
    if (value != null && value.isBoolean()) {
      out.append(header).append(':').append(value.booleanValue() ? "?1" : "?0").append('\n');
    }
  }

  private static void appendString(StringBuilder out, String header, JsonNode value) {
    if (value != null && value.isTextual() && !value.textValue().isEmpty() && sane(value.textValue())) {
      out.append(header).append(":\"").append(value.textValue()).append("\"\n");
    }
  }

  /** Printable ASCII without the quote and backslash that would break the header's syntax. */
  private static boolean sane(String value) {
    if (value == null || value.length() > MAX_VALUE_LENGTH) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }
}
