package io.trackside.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The streaming intake (bytes copied, members located by a token scan) must judge and store
 * every event exactly as a parsed tree would: thousands of generated requests — every member in
 * every kind, duplicate names, odd whitespace, batch envelopes overlapping the events' own
 * objects — are run through {@link SegmentIntake#parse} and through a tree-based reference
 * written here from the Segment rules, and must agree on the verdict, the ids, the partitioning
 * facts and the stored JSON (as a tree).
 */
class SegmentIntakeEquivalenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] SPACES = {"", "", "", " ", "\n  ", "\t", " \r\n "};
  private final SegmentIntake intake = new SegmentIntake(IntakeLimits.segmentDefaults());

  @Test
  void generatedSingleEventsAgreeWithTheTreeReference() throws Exception {
    Random random = new Random(20261129);
    for (int i = 0; i < 4000; i++) {
      String type = pick(random, "track", "page", "identify", "alias", "group", "screen");
      String body = event(random);
      List<Reference.Item> expected = Reference.parse(JSON.readTree(body), type);
      List<IntakeItem> actual = intake.parse(body.getBytes(StandardCharsets.UTF_8), type).items();
      compare(body, expected, actual);
    }
  }

  @Test
  void generatedBatchesAgreeWithTheTreeReference() throws Exception {
    Random random = new Random(11292026);
    for (int i = 0; i < 1500; i++) {
      StringBuilder body = new StringBuilder("{");
      List<String> members = new ArrayList<>();
      StringBuilder batch = new StringBuilder("[");
      int size = random.nextInt(5);
      for (int e = 0; e < size; e++) {
        batch.append(e == 0 ? "" : "," + space(random)).append(random.nextInt(25) == 0 ? pick(random, "1", "\"x\"", "[]", "null") : event(random));
      }
      members.add("\"batch\":" + space(random) + batch.append("]"));
      if (random.nextBoolean()) {
        members.add("\"context\":" + pick(random, object(random, 2, true), "\"nope\"", "null", "{}"));
      }
      if (random.nextBoolean()) {
        members.add("\"integrations\":" + pick(random, "{\"All\":false}", "{\"GA4\":{\"x\":1}}", "7"));
      }
      if (random.nextBoolean()) {
        members.add("\"sentAt\":" + pick(random, "\"2024-05-01T10:00:05.000Z\"", "\"yesterday\"", "null", "5"));
      }
      if (random.nextInt(4) == 0) {
        members.add("\"writeKey\":\"wk\"");
      }
      java.util.Collections.shuffle(members, random);
      body.append(String.join("," + space(random), members)).append("}");
      String json = body.toString();
      List<Reference.Item> expected = Reference.parse(JSON.readTree(json), null);
      List<IntakeItem> actual = intake.parse(json.getBytes(StandardCharsets.UTF_8), null).items();
      compare(json, expected, actual);
    }
  }

  private static void compare(String body, List<Reference.Item> expected, List<IntakeItem> actual) throws Exception {
    assertThat(actual).as(body).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      Reference.Item want = expected.get(i);
      IntakeItem got = actual.get(i);
      String where = body + "\n item " + i + ": " + new String(got.json(), StandardCharsets.UTF_8);
      assertThat(got.rejectReason()).as(where).isEqualTo(want.reason());
      assertThat(got.visitorKey()).as(where).isEqualTo(want.visitorKey());
      JsonNode stored = JSON.readTree(got.json());
      JsonNode wantJson = want.json();
      if (want.assignedId()) {
        assertThat(got.messageId()).as(where).hasSize(36);
        assertThat(stored.get("messageId").asText()).as(where).isEqualTo(got.messageId());
        ((ObjectNode) wantJson).put("messageId", got.messageId());
      } else {
        assertThat(got.messageId()).as(where).isEqualTo(want.messageId());
      }
      assertThat(stored).as(where).isEqualTo(wantJson);
      if (got.valid()) {
        assertThat(got.contextIp()).as(where).isEqualTo(want.contextIp());
        assertThat(got.contextUserAgent()).as(where).isEqualTo(want.contextUserAgent());
      }
    }
  }

  // ---- the generator ----

  private static String event(Random random) {
    List<String> members = new ArrayList<>();
    maybe(random, members, "type", "\"track\"", "\"page\"", "\"identify\"", "\"bogus\"", "3", "null");
    maybe(random, members, "userId", "\"u1\"", "42", "\"  \"", "null", "1.5", "{\"a\":1}", "\"" + "u".repeat(30) + "\"");
    maybe(random, members, "anonymousId", "\"a1\"", "7", "\"\"", "null", "true");
    maybe(random, members, "messageId", "\"m-1\"", "99", "\"\"", "null", "\"" + "m".repeat(100) + "\"",
        "\"" + "m".repeat(99) + "\"", "[1]");
    maybe(random, members, "event", "\"Order Completed\"", "\"\"", "5", "null", "\"<img src=x onerror=alert(1)>\"");
    maybe(random, members, "name", "\"Home\"", "1", "null");
    maybe(random, members, "groupId", "\"g1\"", "null", "2");
    maybe(random, members, "previousId", "\"p1\"", "null", "{}");
    maybe(random, members, "context", object(random, 2, true), "\"ctx\"", "null", "[]", "{}");
    maybe(random, members, "properties", object(random, 3, false), "\"p\"", "null", "[1,2]");
    maybe(random, members, "traits", object(random, 1, false), "1");
    maybe(random, members, "integrations", "{\"All\":true}", "{}", "false", "null");
    maybe(random, members, "timestamp", "\"2024-05-01T10:00:00Z\"", "\"2024-05-01T10:00:00.123+02:00\"",
        "\"not a date\"", "1714557600", "null");
    maybe(random, members, "sentAt", "\"2024-05-01T10:00:06Z\"", "\"soon\"", "null");
    maybe(random, members, "originalTimestamp", "\"2024-05-01T09:59:00Z\"", "0");
    maybe(random, members, "writeKey", "\"wk\"", "5");
    maybe(random, members, "extra\\\"quoted", "\"\\u00e9\\n\"", "{\"deep\":[{\"x\":[null,true]}]}");
    if (random.nextInt(6) == 0 && !members.isEmpty()) {
      members.add(members.get(random.nextInt(members.size()))); // a duplicate name: the last counts
    }
    java.util.Collections.shuffle(members, random);
    StringBuilder json = new StringBuilder("{").append(space(random));
    for (int i = 0; i < members.size(); i++) {
      json.append(i == 0 ? "" : space(random) + "," + space(random)).append(members.get(i));
    }
    return json.append(space(random)).append("}").toString();
  }

  private static String object(Random random, int depth, boolean context) {
    List<String> members = new ArrayList<>();
    if (context) {
      maybe(random, members, "ip", "\"203.0.113.9\"", "\"\"", "12", "null");
      maybe(random, members, "userAgent", "\"Mozilla/5.0\"", "false");
      maybe(random, members, "trackside", "{\"cookieless\":true}", "{\"cookieless\":\"true\"}", "{\"other\":1}",
          "{\"cookieless\":false,\"cookieless\":true}", "true");
      maybe(random, members, "locale", "\"de-DE\"", "\"en-US\"");
    }
    maybe(random, members, "library", "{\"name\":\"own\"}", "{\"name\":\"env\",\"version\":\"1.0\"}", "\"lib\"");
    maybe(random, members, "page", "{\"url\":\"https://shop.example/p?q=1\",\"path\":\"/p\"}", "{\"title\":\"T\"}");
    if (depth > 0) {
      maybe(random, members, "nested", object(random, depth - 1, false), "[" + object(random, 0, false) + "]");
    }
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < members.size(); i++) {
      json.append(i == 0 ? "" : "," + space(random)).append(members.get(i));
    }
    return json.append("}").toString();
  }

  private static void maybe(Random random, List<String> members, String name, String... values) {
    if (random.nextInt(3) > 0) {
      members.add("\"" + name + "\":" + space(random) + values[random.nextInt(values.length)]);
    }
  }

  private static String space(Random random) {
    return SPACES[random.nextInt(SPACES.length)];
  }

  private static String pick(Random random, String... values) {
    return values[random.nextInt(values.length)];
  }

  /** The intake's rules applied to a parsed tree: the reference the streaming intake must match. */
  private static final class Reference {
    private static final Set<String> TYPES = Set.of("track", "page", "screen", "identify", "group", "alias");

    record Item(String reason, String visitorKey, String messageId, boolean assignedId, JsonNode json,
                String contextIp, String contextUserAgent) {
    }

    static List<Item> parse(JsonNode root, String pathType) {
      ObjectNode request = (ObjectNode) root;
      if (pathType != null) {
        request.remove("writeKey");
        request.put("type", pathType);
        return List.of(item(request));
      }
      JsonNode context = request.get("context");
      JsonNode integrations = request.get("integrations");
      JsonNode sentAt = request.get("sentAt");
      List<Item> items = new ArrayList<>();
      for (JsonNode element : request.get("batch")) {
        if (!element.isObject()) {
          items.add(new Item("not_an_object", null, null, false, element, null, null));
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
      return items;
    }

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

    private static Item item(ObjectNode event) {
      String reason = validate(event);
      String visitorKey = idText(event.get("anonymousId"));
      if (visitorKey == null) {
        visitorKey = idText(event.get("userId"));
      }
      String messageId = idText(event.get("messageId"));
      if (reason != null) {
        return new Item(reason, visitorKey, messageId, false, event, null, null);
      }
      boolean assigned = messageId == null;
      if (!assigned && !event.get("messageId").isTextual()) {
        event.put("messageId", messageId);
      }
      JsonNode context = event.path("context");
      return new Item(null, visitorKey, messageId, assigned, event, idText(context.get("ip")),
          idText(context.get("userAgent")));
    }

    private static String validate(ObjectNode event) {
      JsonNode type = event.get("type");
      if (type == null || !type.isTextual() || !TYPES.contains(type.asText())) {
        return "invalid_type";
      }
      for (String id : new String[] {"userId", "anonymousId", "messageId", "groupId", "previousId"}) {
        JsonNode value = event.get(id);
        if (value != null && !value.isNull() && !value.isTextual() && !value.isIntegralNumber()) {
          return "wrong_type";
        }
      }
      String messageId = idText(event.get("messageId"));
      if (messageId != null && messageId.length() > 99) {
        return "message_id_too_long";
      }
      for (String object : new String[] {"context", "properties", "traits", "integrations"}) {
        JsonNode value = event.get(object);
        if (value != null && !value.isNull() && !value.isObject()) {
          return "wrong_type";
        }
      }
      for (String text : new String[] {"event", "name", "category"}) {
        JsonNode value = event.get(text);
        if (value != null && !value.isNull() && !value.isTextual()) {
          return "wrong_type";
        }
      }
      for (String time : new String[] {"timestamp", "originalTimestamp", "sentAt"}) {
        JsonNode value = event.get(time);
        if (value != null && !value.isNull() && (!value.isTextual() || Timestamps.parse(value.asText()) == null)) {
          return "invalid_timestamp";
        }
      }
      if (idText(event.get("userId")) == null && idText(event.get("anonymousId")) == null
          && !Cookieless.marked(event.get("context"))) {
        return "no_user_anon_id";
      }
      String kind = type.asText();
      if (kind.equals("track") && idText(event.get("event")) == null) {
        return "missing_event";
      }
      if (kind.equals("group") && idText(event.get("groupId")) == null) {
        return "missing_group_id";
      }
      if (kind.equals("alias") && idText(event.get("previousId")) == null) {
        return "missing_previous_id";
      }
      return null;
    }

    private static String idText(JsonNode value) {
      if (value == null || value.isNull()) {
        return null;
      }
      if (value.isTextual()) {
        return value.asText().isBlank() ? null : value.asText();
      }
      return value.isIntegralNumber() ? value.asText() : null;
    }
  }
}
