package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * An event as destinations see it: the Segment event after the pipeline (consent normalised,
 * PII hashed or removed, IP truncated, page and campaign cleaned), with what the pipeline derived.
 * Read from the enriched log, where {@link EnrichedLogRecords} wrote it.
 *
 * @param eventId      stable id derived from source and messageId: the same on every retry and
 *                     replay, passed to platforms that deduplicate on it
 * @param segment      the event in Segment's shape (type, event, properties, context, ...), as
 *                     stored: context.ip is the truncated address, PII as the privacy policy left it
 * @param consent      purposes the visitor granted (analytics, advertising, ad_user_data, ...)
 * @param consentKnown whether the event carried any consent signal at all
 * @param clickIds     advertising click ids from the landing URL (gclid, fbclid, ...)
 * @param utm          utm_source, utm_medium, ... as found (keys without the "utm_" prefix)
 * @param logPartition where the event sits in the enriched log (for dead letters and replay)
 * @param recordBytes  size of the stored record: an upper bound of the Segment JSON's size, so
 *                     that batching by bytes need not serialise every event twice
 */
public record DeliveryEvent(
    String eventId, String source, String messageId, String type, String event, String name,
    String userId, String anonymousId, String visitorId, String sessionId, int sessionNumber,
    Instant timestamp, Instant receivedAt,
    ObjectNode segment, ObjectNode properties, ObjectNode traits, ObjectNode context,
    Set<String> consent, boolean consentKnown,
    String pageUrl, String pageReferrer, String pageTitle, String pagePath,
    String ip, String userAgent, Map<String, String> clickIds, Map<String, String> utm,
    String channel, String country, String region, String city,
    String deviceClass, String browser, String os, boolean bot,
    int logPartition, long logOffset, int recordBytes) {

  /** The text of a property, or null when absent or not a scalar. */
  public String property(String name) {
    JsonNode node = properties.get(name);
    return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
  }

  /** The text of a trait, looked up in traits and then in context.traits; null when absent. */
  public String trait(String name) {
    JsonNode node = traits.get(name);
    if (node == null || node.isNull() || node.isContainerNode()) {
      node = context.path("traits").get(name);
    }
    return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
  }
}
