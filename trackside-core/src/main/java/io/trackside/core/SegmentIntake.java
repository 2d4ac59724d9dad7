package io.trackside.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Turns a Segment HTTP Tracking API request body into log-ready events, judging each event on
 * its own: a bad event is quarantined with its reason while the rest of the batch is stored
 * (promise 6). Only what makes the whole request unusable (invalid JSON, over the limits) is an
 * {@link IntakeException}. It does not enrich; that is the pipeline's job.
 */
public final class SegmentIntake {
  static final Set<String> TYPES = Set.of("track", "page", "screen", "identify", "group", "alias");
  private static final int MAX_MESSAGE_ID_LENGTH = 99; // Segment: "shorter than 100 characters"

  private final IntakeLimits limits;
  private final ObjectMapper mapper;

  public SegmentIntake(IntakeLimits limits) {
    this.limits = limits;
    this.mapper = JsonMapper.builder()
        .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
    mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(limits.maxNestingDepth())
        .maxStringLength(limits.maxRequestBytes())
        .build());
  }

  public IntakeLimits limits() {
    return limits;
  }

  /** The parsed request: the write key found in the body (may be null) and its events. */
  public record Request(String writeKey, List<IntakeItem> items) {
  }

  /**
   * @param body     the (already inflated) request body
   * @param pathType the event type the URL names ("track" for /v1/track or /v1/t), or null for
   *                 the batch endpoints (/v1/batch, /v1/import, /v1/b)
   */
  public Request parse(byte[] body, String pathType) throws IntakeException {
    if (body.length > limits.maxRequestBytes()) {
      throw new IntakeException("request_too_large",
          "request body is " + body.length + " bytes; the limit is " + limits.maxRequestBytes());
    }
    JsonNode root = readJson(body);
    if (!root.isObject()) {
      throw new IntakeException("invalid_json", "the body must be a JSON object");
    }
    ObjectNode request = (ObjectNode) root;
    String writeKey = request.path("writeKey").isTextual() ? request.get("writeKey").asText() : null;
    if (pathType != null) {
      request.remove("writeKey");
      if (body.length > limits.maxEventBytes()) {
        throw new IntakeException("event_too_large",
            "event is " + body.length + " bytes; the limit is " + limits.maxEventBytes() + " per event");
      }
      request.put("type", pathType);
      return new Request(writeKey, List.of(item(request)));
    }
    JsonNode batch = request.get("batch");
    if (batch == null || !batch.isArray()) {
      throw new IntakeException("invalid_batch", "a batch request needs a \"batch\" array of events");
    }
    if (batch.size() > limits.maxBatchEvents()) {
      throw new IntakeException("batch_too_large",
          "batch has " + batch.size() + " events; the limit is " + limits.maxBatchEvents());
    }
    JsonNode context = request.get("context");
    JsonNode integrations = request.get("integrations");
    JsonNode sentAt = request.get("sentAt");
    List<IntakeItem> items = new ArrayList<>(batch.size());
    for (JsonNode element : batch) {
      if (!element.isObject()) {
        items.add(reject(element, null, "not_an_object", "each batch item must be a JSON object"));
        continue;
      }
      ObjectNode event = (ObjectNode) element;
      event.remove("writeKey");
      mergeInto(event, "context", context);
      mergeInto(event, "integrations", integrations);
      if (sentAt != null && !event.has("sentAt")) {
        event.set("sentAt", sentAt);
      }
      items.add(item(event));
    }
    return new Request(writeKey, items);
  }

  /**
   * Judges one stored event again, with the same per-event rules as {@link #parse} and the
   * current limits: for replaying a quarantined event after a fix (a raised limit, a changed
   * plan). Bytes that are not a JSON object come back rejected as {@code invalid_json} or
   * {@code not_an_object}.
   *
   * @param eventJson          the event's JSON as it was stored (batch envelope already merged)
   * @param messageIdIfMissing the id to give an event that has none, so that replaying it is
   *                           idempotent (a random one would differ on every attempt)
   */
  public IntakeItem revalidate(byte[] eventJson, String messageIdIfMissing) {
    JsonNode root;
    try {
      root = readJson(eventJson);
    } catch (IntakeException e) {
      return new IntakeItem(null, null, eventJson, e.code(), e.getMessage());
    }
    if (!root.isObject()) {
      return reject(root, null, "not_an_object", "each event must be a JSON object");
    }
    ObjectNode event = (ObjectNode) root;
    JsonNode messageId = event.get("messageId");
    if (messageIdIfMissing != null && (messageId == null || messageId.isNull()
        || (messageId.isTextual() && messageId.asText().isBlank()))) {
      event.put("messageId", messageIdIfMissing);
    }
    return item(event);
  }

  private JsonNode readJson(byte[] body) throws IntakeException {
    if (body.length == 0) {
      throw new IntakeException("invalid_json", "the body is empty; send a JSON object");
    }
    try {
      return mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IntakeException("invalid_json", "invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IntakeException("invalid_json", "invalid JSON: " + e.getMessage());
    }
  }

  /** Envelope fields fill in what the event does not say itself; the event's own values win. */
  private static void mergeInto(ObjectNode event, String field, JsonNode envelopeValue) {
    if (envelopeValue == null || !envelopeValue.isObject()) {
      return;
    }
    JsonNode own = event.get(field);
    if (own == null || own.isNull()) {
      event.set(field, envelopeValue.deepCopy());
    } else if (own.isObject()) {
      deepFill((ObjectNode) own, (ObjectNode) envelopeValue);
    }
  }

  private static void deepFill(ObjectNode target, ObjectNode defaults) {
    Iterator<Map.Entry<String, JsonNode>> fields = defaults.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      JsonNode own = target.get(entry.getKey());
      if (own == null) {
        target.set(entry.getKey(), entry.getValue().deepCopy());
      } else if (own.isObject() && entry.getValue().isObject()) {
        deepFill((ObjectNode) own, (ObjectNode) entry.getValue());
      }
    }
  }

  /** Judges one event (for the other protocols' intakes too): quarantined with its reason, or valid with a messageId. */
  IntakeItem item(ObjectNode event) {
    String problem = validate(event);
    String visitorKey = idText(event.get("anonymousId"));
    if (visitorKey == null) {
      visitorKey = idText(event.get("userId"));
    }
    if (problem != null) {
      int colon = problem.indexOf(':');
      return reject(event, visitorKey, problem.substring(0, colon), problem.substring(colon + 1).trim());
    }
    String messageId = idText(event.get("messageId"));
    if (messageId == null) {
      messageId = UUID.randomUUID().toString();
      event.put("messageId", messageId);
    } else if (!event.get("messageId").isTextual()) {
      event.put("messageId", messageId);
    }
    byte[] json = toJson(event);
    if (json.length > limits.maxEventBytes()) {
      return new IntakeItem(visitorKey, messageId, json, "event_too_large",
          "event is " + json.length + " bytes; the limit is " + limits.maxEventBytes());
    }
    JsonNode context = event.path("context");
    return new IntakeItem(visitorKey, messageId, json, null, null, idText(context.get("ip")),
        idText(context.get("userAgent")));
  }

  IntakeItem reject(JsonNode raw, String visitorKey, String reason, String detail) {
    String messageId = raw.isObject() ? idText(raw.get("messageId")) : null;
    return new IntakeItem(visitorKey, messageId, toJson(raw), reason, detail);
  }

  /** @return null when valid, else "reason: detail" */
  static String validate(ObjectNode event) {
    JsonNode type = event.get("type");
    if (type == null || !type.isTextual() || !TYPES.contains(type.asText())) {
      return "invalid_type: \"type\" must be one of " + String.join(", ", TYPES.stream().sorted().toList())
          + (type == null ? " (it is missing)" : " (it is " + shortText(type) + ")");
    }
    for (String id : new String[] {"userId", "anonymousId", "messageId", "groupId", "previousId"}) {
      JsonNode value = event.get(id);
      if (value != null && !value.isNull() && !value.isTextual() && !value.isIntegralNumber()) {
        return "wrong_type: \"" + id + "\" must be a string (it is " + kind(value) + ")";
      }
    }
    String messageId = idText(event.get("messageId"));
    if (messageId != null && messageId.length() > MAX_MESSAGE_ID_LENGTH) {
      return "message_id_too_long: \"messageId\" has " + messageId.length()
          + " characters; it must be shorter than 100";
    }
    for (String object : new String[] {"context", "properties", "traits", "integrations"}) {
      JsonNode value = event.get(object);
      if (value != null && !value.isNull() && !value.isObject()) {
        return "wrong_type: \"" + object + "\" must be an object (it is " + kind(value) + ")";
      }
    }
    for (String text : new String[] {"event", "name", "category"}) {
      JsonNode value = event.get(text);
      if (value != null && !value.isNull() && !value.isTextual()) {
        return "wrong_type: \"" + text + "\" must be a string (it is " + kind(value) + ")";
      }
    }
    for (String time : new String[] {"timestamp", "originalTimestamp", "sentAt"}) {
      JsonNode value = event.get(time);
      if (value != null && !value.isNull() && (!value.isTextual() || Timestamps.parse(value.asText()) == null)) {
        return "invalid_timestamp: \"" + time + "\" must be an ISO-8601 date-time (it is " + shortText(value) + ")";
      }
    }
    String kind = type.asText();
    if (idText(event.get("userId")) == null && idText(event.get("anonymousId")) == null
        && !Cookieless.marked(event.get("context"))) {
      return "no_user_anon_id: every event needs a \"userId\" or an \"anonymousId\""
          + " (or, from a cookieless browser snippet, \"context\": {\"trackside\": {\"cookieless\": true}})";
    }
    if (kind.equals("track") && idText(event.get("event")) == null) {
      return "missing_event: a track call needs an \"event\" name";
    }
    if (kind.equals("group") && idText(event.get("groupId")) == null) {
      return "missing_group_id: a group call needs a \"groupId\"";
    }
    if (kind.equals("alias") && idText(event.get("previousId")) == null) {
      return "missing_previous_id: an alias call needs a \"previousId\"";
    }
    return null;
  }

  /** An id as text: strings as they are, integers in decimal; null for absent, null or blank. */
  static String idText(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isTextual()) {
      String text = value.asText();
      return text.isBlank() ? null : text;
    }
    return value.isIntegralNumber() ? value.asText() : null;
  }

  private static String kind(JsonNode value) {
    JsonNodeType type = value.getNodeType();
    return type == JsonNodeType.POJO ? "an object" : "a " + type.name().toLowerCase();
  }

  private static String shortText(JsonNode value) {
    String text = value.toString();
    return text.length() > 40 ? text.substring(0, 40) + "…" : text;
  }

  private byte[] toJson(JsonNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed JSON tree could not be written back", e);
    }
  }
}
