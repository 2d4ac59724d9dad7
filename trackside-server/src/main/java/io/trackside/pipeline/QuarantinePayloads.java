package io.trackside.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * What of a rejected event's JSON goes into the quarantine: everything as received, except a
 * client address in {@code context.ip}, which is truncated like the quarantine's ip column
 * (always, whatever privacy.store-raw-ip says: rejected events are kept for inspection and
 * replay, which the truncated address serves). Private by default holds for the quarantine too.
 */
final class QuarantinePayloads {

  private static final ObjectMapper JSON = new ObjectMapper();

  private QuarantinePayloads() {
  }

  static byte[] scrub(byte[] json) {
    if (json == null) {
      return json;
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException | RuntimeException notJson) {
      return json; // not JSON: there is no context.ip to find
    }
    if (root == null || !(root.path("context") instanceof ObjectNode context) || !context.has("ip")) {
      return json;
    }
    String truncated = IpAddresses.truncate(context.path("ip").asText(null));
    if (truncated == null) {
      context.remove("ip");
    } else {
      context.put("ip", truncated);
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      return null;
    }
  }
}
