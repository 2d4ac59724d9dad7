package io.trackside.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The SDK's name and version, as sent in {@code context.library} and the User-Agent header. */
final class Library {
  static final String NAME = "trackside-java";
  static final String VERSION = readVersion();
  static final Map<String, String> CONTEXT = context();

  private Library() {
  }

  private static Map<String, String> context() {
    Map<String, String> library = new LinkedHashMap<>();
    library.put("name", NAME);
    library.put("version", VERSION);
    return Collections.unmodifiableMap(library);
  }

  /** From a resource Maven fills in at build time (a manifest entry is missing when run from classes). */
  private static String readVersion() {
    try (InputStream in = Library.class.getResourceAsStream("trackside-sdk.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
