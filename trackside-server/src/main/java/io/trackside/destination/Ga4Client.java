package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The request's {@code user_location} and {@code device} (protocols.md §2.2), from what the
 * pipeline derived. A Measurement Protocol request comes from this server, not the browser, so
 * without them GA4 reports every server-side event with no country and no device. The IP
 * address itself is not sent ({@code ip_override}): the place is already known, and the address
 * would be one more personal datum at Google.
 */
final class Ga4Client {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Ga4Client() {
  }

  /** country_id (ISO 3166-1 alpha-2), region_id (only an ISO 3166-2 code such as US-CA), city; null when unknown. */
  static ObjectNode location(DeliveryEvent e) {
    ObjectNode location = NODES.objectNode();
    if (e.country() != null && e.country().matches("[A-Z]{2}")) {
      location.put("country_id", e.country());
    }
    if (e.region() != null && e.region().matches("[A-Z]{2}-[A-Z0-9]{1,3}")) {
      location.put("region_id", e.region());
    }
    if (e.city() != null && !e.city().isBlank()) {
      location.put("city", Ga4Params.truncate(e.city().strip(), Ga4Validation.MAX_PARAM_VALUE));
    }
    return location.isEmpty() ? null : location;
  }

  /** category (desktop, mobile, tablet, smart tv), language, screen_resolution, operating_system, browser; null when unknown. */
  static ObjectNode device(DeliveryEvent e) {
    ObjectNode device = NODES.objectNode();
    String category = category(e.deviceClass());
    if (category != null) {
      device.put("category", category);
    }
    put(device, "language", e.context().path("locale"));
    JsonNode screen = e.context().path("screen");
    if (screen.path("width").canConvertToInt() && screen.path("height").canConvertToInt()
        && screen.path("width").asInt() > 0 && screen.path("height").asInt() > 0) {
      device.put("screen_resolution", screen.path("width").asInt() + "x" + screen.path("height").asInt());
    }
    if (e.os() != null) {
      device.put("operating_system", Ga4Params.truncate(e.os(), Ga4Validation.MAX_PARAM_VALUE));
    }
    if (e.browser() != null) {
      device.put("browser", Ga4Params.truncate(e.browser(), Ga4Validation.MAX_PARAM_VALUE));
    }
    return device.isEmpty() ? null : device;
  }

  /** GA4's device categories for the pipeline's device classes; null for robots and the unknown. */
  static String category(String deviceClass) {
    if (deviceClass == null) {
      return null;
    }
    return switch (deviceClass) {
      case "desktop" -> "desktop";
      case "phone", "mobile" -> "mobile";
      case "tablet" -> "tablet";
      case "tv" -> "smart tv";
      default -> null;
    };
  }

  private static void put(ObjectNode node, String field, JsonNode value) {
    if (value.isTextual() && !value.textValue().isBlank()) {
      node.put(field, Ga4Params.truncate(value.textValue().strip(), Ga4Validation.MAX_PARAM_VALUE));
    }
  }
}
