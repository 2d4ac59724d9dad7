package io.trackside.warehouse;

import java.util.Map;

/**
 * A visitor's latest session as the warehouse holds it, to resume sessionisation after a
 * restart.
 *
 * @param startMillis        the session's earliest event timestamp
 * @param lastMillis         the session's latest event timestamp
 * @param lastReceivedMillis when the latest of its events was received
 * @param clickIds           click ids of the session's campaign, name → value (empty if none)
 */
public record SessionSnapshot(String visitorId, String sessionId, int sessionNumber, long startMillis,
                              long lastMillis, long lastReceivedMillis, String utmSource, String utmMedium,
                              String utmCampaign, Map<String, String> clickIds) {

  private static final com.fasterxml.jackson.databind.ObjectMapper CLICK_ID_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** The click ids column's JSON object as a map; empty when absent or unreadable. */
  static Map<String, String> clickIds(String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      Map<String, String> ids = new java.util.LinkedHashMap<>();
      CLICK_ID_JSON.readTree(json).fields()
          .forEachRemaining(f -> ids.put(f.getKey(), f.getValue().asText()));
      return ids;
    } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
      return Map.of();
    }
  }
}
