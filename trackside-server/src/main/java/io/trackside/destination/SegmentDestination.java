package io.trackside.destination;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forwards events to anything speaking Segment's HTTP API — Segment itself, RudderStack, or
 * another Trackside — with {@code POST /v1/batch}, the write key as HTTP Basic user, and each
 * event's messageId kept, so the receiver deduplicates a batch sent twice. Events leave as stored
 * here: consent-checked, PII as the privacy policy left it, context.ip truncated.
 */
final class SegmentDestination implements Destination {
  /** Segment's limits: 32 KB per event, 500 KB per batch request. */
  static final int MAX_EVENT_BYTES = 32 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI batchUrl;
  private final String authorization;

  SegmentDestination(DestinationConfig config) {
    String base = config.option("url", "https://api.segment.io");
    this.batchUrl = URI.create(base.replaceAll("/+$", "") + "/v1/batch");
    String key = config.requiredOption("write-key");
    this.authorization = "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String type() {
    return "segment";
  }

  @Override
  public Set<String> requiredConsent() {
    return Set.of("analytics");
  }

  @Override
  public DestinationLimits limits() {
    return new DestinationLimits(500, 490 * 1024, null);
  }

  @Override
  public Mapped map(DeliveryEvent e) {
    ObjectNode body = e.segment().deepCopy();
    // The receiver sets its own receivedAt. Without sentAt and originalTimestamp it takes the
    // (already skew-corrected) timestamp as it is, instead of correcting it again against the
    // moment of forwarding — which would move a delayed event to the present.
    body.remove("receivedAt");
    body.remove("sentAt");
    body.remove("originalTimestamp");
    int bytes = e.recordBytes(); // an upper bound; serialise only when it might be over the limit
    if (bytes > MAX_EVENT_BYTES) {
      bytes = body.toString().getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_EVENT_BYTES) {
        return new Mapped.Reject("too_large: the event is " + bytes + " bytes; Segment's API takes 32 KB");
      }
    }
    return new Mapped.Send(e.eventId(), null, body, bytes);
  }

  @Override
  public OutgoingRequest request(List<Mapped.Send> payloads) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode batch = root.putArray("batch");
    payloads.forEach(p -> batch.add(p.body()));
    return new OutgoingRequest("POST", batchUrl,
        Map.of("Content-Type", "application/json", "Authorization", authorization),
        bytes(root));
  }

  @Override
  public Verdict verdict(int status, String body) {
    return status >= 200 && status < 300 ? Verdict.DELIVERED
        : new Verdict.Rejected("segment answered " + status + ": " + (body.length() > 500 ? body.substring(0, 500) : body));
  }

  private static byte[] bytes(ObjectNode root) {
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
