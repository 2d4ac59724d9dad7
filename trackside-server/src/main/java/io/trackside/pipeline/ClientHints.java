package io.trackside.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
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
 * @param headers the headers, without User-Agent
 * @param key     the headers as one string, for the cache key
 */
record ClientHints(Map<String, String> headers, String key) {

  /** Longer values are not hints a browser sends; ignoring them keeps hostile input out of the cache. */
  private static final int MAX_VALUE_LENGTH = 100;
  private static final int MAX_BRANDS = 10;

  /** The hints in {@code context.userAgentData}, or null when there are none worth using. */
  static ClientHints from(JsonNode userAgentData) {
    if (userAgentData == null || !userAgentData.isObject()) {
      return null;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    String brands = brandList(userAgentData.get("brands"));
    if (brands != null) {
      headers.put("Sec-CH-UA", brands);
    }
    String fullVersions = brandList(userAgentData.get("fullVersionList"));
    if (fullVersions != null) {
      headers.put("Sec-CH-UA-Full-Version-List", fullVersions);
    }
    putBoolean(headers, "Sec-CH-UA-Mobile", userAgentData.get("mobile"));
    putBoolean(headers, "Sec-CH-UA-WoW64", userAgentData.get("wow64"));
    putString(headers, "Sec-CH-UA-Platform", userAgentData.get("platform"));
    putString(headers, "Sec-CH-UA-Platform-Version", userAgentData.get("platformVersion"));
    putString(headers, "Sec-CH-UA-Model", userAgentData.get("model"));
    putString(headers, "Sec-CH-UA-Arch", userAgentData.get("architecture"));
    putString(headers, "Sec-CH-UA-Bitness", userAgentData.get("bitness"));
    putString(headers, "Sec-CH-UA-Full-Version", userAgentData.get("uaFullVersion"));
    if (headers.isEmpty()) {
      return null;
    }
    StringBuilder key = new StringBuilder();
    headers.forEach((name, value) -> key.append(name).append(':').append(value).append('\n'));
    return new ClientHints(Map.copyOf(headers), key.toString());
  }

  /** [{"brand":"Chromium","version":"138"}, ...] as {@code "Chromium";v="138", ...}. */
  private static String brandList(JsonNode brands) {
    if (brands == null || !brands.isArray() || brands.isEmpty() || brands.size() > MAX_BRANDS) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (JsonNode entry : brands) {
      String brand = JsonText.text(entry, "brand");
      String version = JsonText.text(entry, "version");
      if (!sane(brand) || !sane(version)) {
        return null;
      }
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append('"').append(brand).append("\";v=\"").append(version).append('"');
    }
    return out.toString();
  }

  private static void putBoolean(Map<String, String> headers, String name, JsonNode value) {
    if (value != null && value.isBoolean()) {
      headers.put(name, value.booleanValue() ? "?1" : "?0");
    }
  }

  private static void putString(Map<String, String> headers, String name, JsonNode value) {
    if (value != null && value.isTextual() && !value.textValue().isEmpty() && sane(value.textValue())) {
      headers.put(name, '"' + value.textValue() + '"');
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
