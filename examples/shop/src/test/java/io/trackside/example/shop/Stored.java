package io.trackside.example.shop;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/** Reading the events Trackside stored. */
final class Stored {
  private Stored() {
  }

  static List<JsonNode> of(List<JsonNode> events, String type, String name) {
    return events.stream()
        .filter(e -> e.path("type").asText().equals(type) && (name == null || name.equals(e.path("event").asText())))
        .collect(Collectors.toList());
  }

  static long count(List<JsonNode> events, String type, String name) {
    return of(events, type, name).size();
  }

  static String describe(List<JsonNode> events) {
    return events.stream().map(e -> e.path("type").asText() + " " + e.path("event").asText("") + " "
        + e.path("page_path").asText("") + " " + e.path("message_id").asText() + " anon=" + e.path("anonymous_id").asText())
        .collect(Collectors.joining("\n"));
  }

  /** Trackside's stored form of an e-mail address: SHA-256 of it trimmed and lower-cased. */
  static String emailHash(String email) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(email.strip().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8)));
  }
}
