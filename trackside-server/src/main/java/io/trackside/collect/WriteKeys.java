package io.trackside.collect;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The write key from HTTP Basic auth, as Segment's clients send it. */
final class WriteKeys {
  private WriteKeys() {
  }

  /**
   * @return the user name of a Basic Authorization header — {@code base64(key + ":")}, the colon
   *     optional for old clients — or null when the header is absent, not Basic, or not base64
   */
  static String fromBasicAuth(String authorization) {
    if (authorization == null || authorization.length() < 7
        || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      String key = colon >= 0 ? decoded.substring(0, colon) : decoded;
      return key.isEmpty() ? null : key;
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
  }
}
