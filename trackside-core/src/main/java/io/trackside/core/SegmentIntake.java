package io.trackside.core;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  // The members validate() checks by kind, in the order its messages name them.
  private static final int[] IDS = {EventScan.USER_ID, EventScan.ANONYMOUS_ID, EventScan.MESSAGE_ID,
      EventScan.GROUP_ID, EventScan.PREVIOUS_ID};
  private static final int[] OBJECTS = {EventScan.CONTEXT, EventScan.PROPERTIES, EventScan.TRAITS,
      EventScan.INTEGRATIONS};
  private static final int[] TEXTS = {EventScan.EVENT, EventScan.NAME, EventScan.CATEGORY};
  private static final int[] TIMES = {EventScan.TIMESTAMP, EventScan.ORIGINAL_TIMESTAMP, EventScan.SENT_AT};

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
    if (body.length == 0) {
      throw new IntakeException("invalid_json", "the body is empty; send a JSON object");
    }
    try (JsonParser parser = mapper.getFactory().createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        skipValue(parser);
        throw new IntakeException("invalid_json", "the body must be a JSON object");
      }
      if (pathType != null) {
        EventScan event = EventScan.read(parser, body, 0);
        requireEnd(parser);
        EventScan.Value writeKey = event.get(EventScan.WRITE_KEY);
        if (body.length > limits.maxEventBytes()) {
          throw new IntakeException("event_too_large",
              "event is " + body.length + " bytes; the limit is " + limits.maxEventBytes() + " per event");
        }
        return new Request(writeKey != null && writeKey.isText() ? writeKey.text() : null,
            List.of(judge(event, pathType, Envelope.NONE, null)));
      }
      BatchElements elements = new BatchElements(body);
      EventScan request = EventScan.readRequest(parser, body, 0, elements);
      requireEnd(parser);
      EventScan.Value batch = request.get(EventScan.BATCH);
      if (batch == null || batch.token() != JsonToken.START_ARRAY) {
        throw new IntakeException("invalid_batch", "a batch request needs a \"batch\" array of events");
      }
      if (elements.count > limits.maxBatchEvents()) {
        throw new IntakeException("batch_too_large",
            "batch has " + elements.count + " events; the limit is " + limits.maxBatchEvents());
      }
      EventScan.Value writeKey = request.get(EventScan.WRITE_KEY);
      Envelope envelope = envelope(request);
      List<IntakeItem> items = new ArrayList<>(elements.list.size());
      for (Object element : elements.list) {
        if (element instanceof EventScan event) {
          items.add(judge(event, null, envelope, null));
        } else {
          int[] span = (int[]) element;
          items.add(new IntakeItem(null, null, Arrays.copyOfRange(body, span[0], span[1]), "not_an_object",
              "each batch item must be a JSON object"));
        }
      }
      return new Request(writeKey != null && writeKey.isText() ? writeKey.text() : null, items);
    } catch (JsonProcessingException e) {
      throw new IntakeException("invalid_json", "invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IntakeException("invalid_json", "invalid JSON: " + e.getMessage());
    }
  }

  /**
   * The batch array's items, read as the request's {@code batch} member goes by: objects scanned
   * as events, anything else kept as its byte range (a reject). A later {@code batch} member
   * replaces an earlier one, as in a parsed tree. Items past the limit are only counted.
   */
  private final class BatchElements implements EventScan.ArrayReader {
    private final byte[] body;
    /** Each item: its {@link EventScan} when an object, else its {@code int[] {start, end}} in the body. */
    final List<Object> list = new ArrayList<>();
    int count;

    BatchElements(byte[] body) {
      this.body = body;
    }

    @Override
    public void read(JsonParser parser) throws IOException {
      list.clear();
      count = 0;
      JsonToken token = parser.nextToken();
      while (token != JsonToken.END_ARRAY) {
        count++;
        boolean kept = count <= limits.maxBatchEvents();
        if (token == JsonToken.START_OBJECT && kept) {
          list.add(EventScan.read(parser, body, 0));
          token = parser.nextToken();
          continue;
        }
        int start = EventScan.tokenOffset(parser);
        parser.skipChildren();
        token = parser.nextToken();
        if (kept) {
          int next = EventScan.tokenOffset(parser);
          list.add(new int[] {start, EventScan.trimBack(body, next, start)});
        }
      }
    }
  }

  /** What a batch request says for all its events: context, integrations and sentAt, where given. */
  private record Envelope(EventScan.Value context, EventScan contextMembers, EventScan.Value integrations,
                          EventScan.Value sentAt) {
    static final Envelope NONE = new Envelope(null, null, null, null);
  }

  private static Envelope envelope(EventScan request) {
    EventScan.Value context = request.get(EventScan.CONTEXT);
    EventScan.Value integrations = request.get(EventScan.INTEGRATIONS);
    // only objects fill in the events' own
    return new Envelope(context != null && context.isObject() ? context : null, request.nested(EventScan.CONTEXT),
        integrations != null && integrations.isObject() ? integrations : null, request.get(EventScan.SENT_AT));
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
    if (eventJson.length == 0) {
      return new IntakeItem(null, null, eventJson, "invalid_json", "the body is empty; send a JSON object");
    }
    try (JsonParser parser = mapper.getFactory().createParser(eventJson)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        skipValue(parser);
        return new IntakeItem(null, null, eventJson, "not_an_object", "each event must be a JSON object");
      }
      EventScan event = EventScan.read(parser, eventJson, 0);
      requireEnd(parser);
      return judge(event, null, Envelope.NONE, messageIdIfMissing);
    } catch (IOException e) {
      String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      return new IntakeItem(null, null, eventJson, "invalid_json", "invalid JSON: " + message);
    }
  }

  /** Judges one event (for the other protocols' intakes too): quarantined with its reason, or valid with a messageId. */
  IntakeItem item(ObjectNode event) {
    byte[] json = toJson(event);
    try (JsonParser parser = mapper.getFactory().createParser(json)) {
      parser.nextToken();
      return judge(EventScan.read(parser, json, 0), null, Envelope.NONE, null);
    } catch (IOException e) {
      throw new IllegalStateException("an event built as a tree could not be read back", e);
    }
  }

  IntakeItem reject(JsonNode raw, String visitorKey, String reason, String detail) {
    String messageId = raw.isObject() ? idText(raw.get("messageId")) : null;
    return new IntakeItem(visitorKey, messageId, toJson(raw), reason, detail);
  }

  /**
   * Judges one scanned event and writes it out: the request's writeKey left out, the URL's type
   * set, the envelope merged in (the event's own values win), a messageId assigned where missing.
   */
  private IntakeItem judge(EventScan event, String pathType, Envelope envelope, String messageIdIfMissing)
      throws IOException {
    EventBytes out = new EventBytes(event);
    out.drop("writeKey");
    EventScan.Value type = event.get(EventScan.TYPE);
    if (pathType != null && (event.count("type") != 1 || !type.isText() || !type.text().equals(pathType))) {
      out.setText("type", pathType);
      type = new EventScan.Value(JsonToken.VALUE_STRING, pathType, 0, 0);
    }
    EventScan.Value context = event.get(EventScan.CONTEXT);
    EventScan.ContextFacts facts = event.contextFacts();
    if (envelope.context() != null && fillFromEnvelope(event, out, "context", envelope.context(), envelope.contextMembers()) != null) {
      EventScan own = event.nested(EventScan.CONTEXT);
      facts = own == null ? EventScan.facts(envelope.contextMembers())
          : EventScan.mergedFacts(own, envelope.contextMembers());
      context = new EventScan.Value(JsonToken.START_OBJECT, null, 0, 0);
    }
    EventScan.Value integrations = event.get(EventScan.INTEGRATIONS);
    if (envelope.integrations() != null && fillFromEnvelope(event, out, "integrations", envelope.integrations(), null) != null) {
      integrations = new EventScan.Value(JsonToken.START_OBJECT, null, 0, 0);
    }
    EventScan.Value sentAt = event.get(EventScan.SENT_AT);
    if (envelope.sentAt() != null && sentAt == null) {
      sentAt = envelope.sentAt();
      out.add("sentAt", Arrays.copyOfRange(event.input, sentAt.start(), sentAt.end()));
    }
    EventScan.Value messageIdValue = event.get(EventScan.MESSAGE_ID);
    String messageId = messageIdValue == null ? null : messageIdValue.idText();
    if (messageIdIfMissing != null && messageId == null
        && (messageIdValue == null || messageIdValue.isNull() || messageIdValue.isText())) {
      messageId = messageIdIfMissing;
      messageIdValue = new EventScan.Value(JsonToken.VALUE_STRING, messageId, 0, 0);
      out.setText("messageId", messageId);
    }
    String visitorKey = idText(event.get(EventScan.ANONYMOUS_ID));
    if (visitorKey == null) {
      visitorKey = idText(event.get(EventScan.USER_ID));
    }
    String problem = validate(event, type, messageIdValue, context, integrations, sentAt, facts);
    if (problem != null) {
      int colon = problem.indexOf(':');
      return new IntakeItem(visitorKey, messageId, out.toBytes(), problem.substring(0, colon),
          problem.substring(colon + 1).trim());
    }
    if (messageId == null) {
      messageId = UUID.randomUUID().toString();
      out.setText("messageId", messageId);
    } else if (!messageIdValue.isText()) {
      out.setText("messageId", messageId);
    }
    byte[] json = out.toBytes();
    if (json.length > limits.maxEventBytes()) {
      return new IntakeItem(visitorKey, messageId, json, "event_too_large",
          "event is " + json.length + " bytes; the limit is " + limits.maxEventBytes());
    }
    return new IntakeItem(visitorKey, messageId, json, null, null, facts.ip(), facts.userAgent());
  }

  /**
   * Envelope fields fill in what the event does not say itself; the event's own values win.
   *
   * @return the event's field as merged, or null when the envelope added nothing to it
   */
  private byte[] fillFromEnvelope(EventScan event, EventBytes out, String field, EventScan.Value envelopeValue,
                                  EventScan envelopeMembers) throws IOException {
    int own = event.last(field);
    byte[] input = event.input;
    if (own < 0 || event.value(own).isNull()) {
      byte[] value = Arrays.copyOfRange(input, envelopeValue.start(), envelopeValue.end());
      out.drop(field);
      out.add(field, value);
      return value;
    }
    if (!event.value(own).isObject()) {
      return null;
    }
    byte[] merged = fill(input, event.nestedAt(own), event.valueStart(own), event.memberEnd(own), envelopeMembers,
        envelopeValue.start(), envelopeValue.end());
    if (merged != null) {
      out.replaceValue(own, merged);
    }
    return merged;
  }

  /**
   * The object at {@code [ownStart, ownEnd)} with the members of the one at
   * {@code [defaultsStart, defaultsEnd)} that it lacks, recursively into objects both have.
   * Either scan may be null when that object was not scanned yet.
   *
   * @return the filled object's JSON, or null when nothing was missing
   */
  private byte[] fill(byte[] input, EventScan ownScan, int ownStart, int ownEnd, EventScan defaultsScan,
                      int defaultsStart, int defaultsEnd) throws IOException {
    EventScan own = ownScan != null ? ownScan : scanAt(input, ownStart, ownEnd);
    EventScan defaults = defaultsScan != null ? defaultsScan : scanAt(input, defaultsStart, defaultsEnd);
    EventBytes out = new EventBytes(own);
    for (int d = 0; d < defaults.members(); d++) {
      String name = defaults.name(d);
      if (defaults.last(name) != d) {
        continue; // a duplicate name: the last one counts
      }
      int o = own.last(name);
      if (o < 0) {
        out.addCopy(input, defaults.memberStart(d), defaults.memberEnd(d));
      } else if (own.value(o).isObject() && defaults.value(d).isObject()) {
        byte[] sub = fill(input, own.nestedAt(o), own.valueStart(o), own.memberEnd(o), defaults.nestedAt(d),
            defaults.valueStart(d), defaults.memberEnd(d));
        if (sub != null) {
          out.replaceValue(o, sub);
        }
      }
    }
    return out.changed() ? out.toBytes() : null;
  }

  private EventScan scanAt(byte[] input, int start, int end) throws IOException {
    try (JsonParser parser = mapper.getFactory().createParser(input, start, end - start)) {
      parser.nextToken();
      return EventScan.readMembers(parser, input, start);
    }
  }

  /** @return null when valid, else "reason: detail" */
  private static String validate(EventScan event, EventScan.Value type, EventScan.Value messageIdValue,
                                 EventScan.Value context, EventScan.Value integrations, EventScan.Value sentAt,
                                 EventScan.ContextFacts facts) {
    if (type == null || !type.isText() || !TYPES.contains(type.text())) {
      return "invalid_type: \"type\" must be one of " + String.join(", ", TYPES.stream().sorted().toList())
          + (type == null ? " (it is missing)" : " (it is " + event.shortText(type) + ")");
    }
    for (int id : IDS) {
      EventScan.Value value = id == EventScan.MESSAGE_ID ? messageIdValue : event.get(id);
      if (value != null && !value.isNull() && !value.isText() && !value.isIntegral()) {
        return "wrong_type: \"" + EventScan.NAMES[id] + "\" must be a string (it is " + value.kind() + ")";
      }
    }
    String messageId = messageIdValue == null ? null : messageIdValue.idText();
    if (messageId != null && messageId.length() > MAX_MESSAGE_ID_LENGTH) {
      return "message_id_too_long: \"messageId\" has " + messageId.length()
          + " characters; it must be shorter than 100";
    }
    for (int object : OBJECTS) {
      EventScan.Value value = switch (object) {
        case EventScan.CONTEXT -> context;
        case EventScan.INTEGRATIONS -> integrations;
        default -> event.get(object);
      };
      if (value != null && !value.isNull() && !value.isObject()) {
        return "wrong_type: \"" + EventScan.NAMES[object] + "\" must be an object (it is " + value.kind() + ")";
      }
    }
    for (int text : TEXTS) {
      EventScan.Value value = event.get(text);
      if (value != null && !value.isNull() && !value.isText()) {
        return "wrong_type: \"" + EventScan.NAMES[text] + "\" must be a string (it is " + value.kind() + ")";
      }
    }
    for (int time : TIMES) {
      EventScan.Value value = time == EventScan.SENT_AT ? sentAt : event.get(time);
      if (value != null && !value.isNull() && (!value.isText() || Timestamps.parse(value.text()) == null)) {
        return "invalid_timestamp: \"" + EventScan.NAMES[time] + "\" must be an ISO-8601 date-time (it is "
            + shortText(event, value) + ")";
      }
    }
    String kind = type.text();
    if (idText(event.get(EventScan.USER_ID)) == null && idText(event.get(EventScan.ANONYMOUS_ID)) == null && !facts.cookieless()) {
      return "no_user_anon_id: every event needs a \"userId\" or an \"anonymousId\""
          + " (or, from a cookieless browser snippet, \"context\": {\"trackside\": {\"cookieless\": true}})";
    }
    if (kind.equals("track") && idText(event.get(EventScan.EVENT)) == null) {
      return "missing_event: a track call needs an \"event\" name";
    }
    if (kind.equals("group") && idText(event.get(EventScan.GROUP_ID)) == null) {
      return "missing_group_id: a group call needs a \"groupId\"";
    }
    if (kind.equals("alias") && idText(event.get(EventScan.PREVIOUS_ID)) == null) {
      return "missing_previous_id: an alias call needs a \"previousId\"";
    }
    return null;
  }

  private static String shortText(EventScan event, EventScan.Value value) {
    return value.end() > value.start() ? event.shortText(value) : "\"" + value.text() + "\"";
  }

  private static String idText(EventScan.Value value) {
    return value == null ? null : value.idText();
  }

  /** Reads one value to its end (its syntax still checked), for a body that is not an object. */
  private static void skipValue(JsonParser parser) throws IOException {
    parser.skipChildren();
    requireEnd(parser);
  }

  private static void requireEnd(JsonParser parser) throws IOException {
    JsonToken trailing = parser.nextToken();
    if (trailing != null) {
      throw new JsonParseException(parser, "trailing token (" + trailing + ") after the JSON value");
    }
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

  private byte[] toJson(JsonNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed JSON tree could not be written back", e);
    }
  }
}
