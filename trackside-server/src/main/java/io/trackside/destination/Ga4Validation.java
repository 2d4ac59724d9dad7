package io.trackside.destination;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks GA4's validation server ({@code /debug/mp/collect}) makes, as far as protocols.md
 * §2.3–2.6 documents them. The live endpoint answers 2xx and silently drops what breaks them, so
 * the destination checks every event before sending (a dropped event must be dead-lettered, not
 * counted as delivered), and the test stand-in answers its debug path with them.
 *
 * <p>Field paths name the exact place ({@code events[0].params.currency}); descriptions follow
 * Google's "Event at index: [0] …" wording. Duplicate JSON keys (NAME_DUPLICATED) cannot be seen
 * in a parsed tree and are not checked: the mapping never writes one.
 */
final class Ga4Validation {

  /** One finding, as GA4 writes it in {@code validationMessages}. */
  record Message(String fieldPath, String description, String validationCode) {

    ObjectNode toJson(ObjectMapper json) {
      ObjectNode node = json.createObjectNode();
      node.put("fieldPath", fieldPath);
      node.put("description", description);
      node.put("validationCode", validationCode);
      return node;
    }

    @Override
    public String toString() {
      return validationCode + " " + fieldPath + ": " + description;
    }
  }

  static final int MAX_EVENTS = 25;
  static final int MAX_PARAMS = 25;
  static final int MAX_USER_PROPERTIES = 25;
  static final int MAX_PARAM_VALUE = 100;
  static final int MAX_USER_PROPERTY_VALUE = 36;
  static final int MAX_ITEMS = 200;
  static final int MAX_CUSTOM_ITEM_PARAMS = 10;
  static final int MAX_USER_ID = 256;
  static final int MAX_BODY_BYTES = 130_000;
  static final Duration MAX_BACKDATING = Duration.ofHours(72);

  /**
   * GA's collection limits give these page parameters more room than the 100 characters of other
   * values (support.google.com/analytics/answer/9267744); cutting a URL at 100 would break it.
   */
  static final Map<String, Integer> LONGER_PARAMS = Map.of("page_location", 1000, "page_referrer", 420,
      "page_title", 300);

  /** Item fields GA4 defines; any other key of an item is a custom item parameter. */
  static final Set<String> ITEM_FIELDS = Set.of("item_id", "item_name", "affiliation", "coupon", "discount",
      "index", "item_brand", "item_category", "item_category2", "item_category3", "item_category4",
      "item_category5", "item_list_id", "item_list_name", "item_variant", "location_id", "price", "quantity",
      "creative_name", "creative_slot", "promotion_id", "promotion_name");

  private static final Set<String> NEEDS_TRANSACTION_ID = Set.of("purchase", "refund");
  private static final Set<String> CONSENT_VALUES = Set.of("GRANTED", "DENIED");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Message> messages = new ArrayList<>();
  private final Instant now;

  private Ga4Validation(Instant now) {
    this.now = now;
  }

  static List<Message> validate(JsonNode requestBody) {
    return validate(requestBody, Instant.now());
  }

  /** Everything GA4 would refuse or drop in this request body; empty when it is valid. */
  static List<Message> validate(JsonNode requestBody, Instant now) {
    Ga4Validation v = new Ga4Validation(now);
    v.request(requestBody);
    return List.copyOf(v.messages);
  }

  private void request(JsonNode body) {
    if (body == null || !body.isObject()) {
      add("", "The request body must be a JSON object.", "VALUE_INVALID");
      return;
    }
    int bytes = size(body);
    if (bytes > MAX_BODY_BYTES) {
      add("", "The request body is " + bytes + " bytes; the limit is " + MAX_BODY_BYTES + ".", "VALUE_OUT_OF_BOUNDS");
    }
    if (blank(body.get("client_id")) && blank(body.get("app_instance_id"))) {
      add("client_id", "Measurement requires a client_id.", "VALUE_REQUIRED");
    }
    JsonNode userId = body.get("user_id");
    if (userId != null && !userId.isNull()) {
      if (!userId.isTextual()) {
        add("user_id", "user_id must be a string.", "VALUE_INVALID");
      } else if (userId.textValue().length() > MAX_USER_ID) {
        add("user_id", "user_id is longer than " + MAX_USER_ID + " characters.", "VALUE_OUT_OF_BOUNDS");
      }
    }
    timestamp(body.get("timestamp_micros"), "timestamp_micros", "The request");
    userProperties(body.get("user_properties"));
    consent(body.get("consent"));
    userData(body.get("user_data"));
    JsonNode events = body.get("events");
    if (events == null || !events.isArray() || events.isEmpty()) {
      add("events", "A request needs at least one event.", "VALUE_REQUIRED");
      return;
    }
    if (events.size() > MAX_EVENTS) {
      add("events", "A request can have at most " + MAX_EVENTS + " events; it has " + events.size() + ".",
          "EXCEEDED_MAX_ENTITIES");
    }
    for (int i = 0; i < events.size(); i++) {
      event(events.get(i), i);
    }
  }

  private void event(JsonNode event, int index) {
    String path = "events[" + index + "]";
    String at = "Event at index: [" + index + "]";
    if (!event.isObject()) {
      add(path, at + " is not an object.", "VALUE_INVALID");
      return;
    }
    JsonNode nameNode = event.get("name");
    String name = nameNode != null && nameNode.isTextual() ? nameNode.textValue() : null;
    if (name == null || name.isEmpty()) {
      add(path + ".name", at + " has no name.", "VALUE_REQUIRED");
    } else if (!Ga4Names.wellFormed(name, Ga4Names.MAX_EVENT_NAME)) {
      add(path + ".name", at + " has invalid name [" + name + "]. Names must start with an alphabetic character,"
          + " contain only letters, digits and underscores, and have at most " + Ga4Names.MAX_EVENT_NAME
          + " characters.", "NAME_INVALID");
    } else if (Ga4Names.reservedEvent(name)) {
      add(path + ".name", at + " has name [" + name + "] which is reserved.", "NAME_RESERVED");
    }
    timestamp(event.get("timestamp_micros"), path + ".timestamp_micros", at);
    JsonNode params = event.get("params");
    if (params == null || params.isNull()) {
      return;
    }
    if (!params.isObject()) {
      add(path + ".params", at + " has params that are not an object.", "VALUE_INVALID");
      return;
    }
    if (params.size() > MAX_PARAMS) {
      add(path + ".params", at + " has " + params.size() + " params; the limit is " + MAX_PARAMS + ".",
          "EXCEEDED_MAX_ENTITIES");
    }
    for (Map.Entry<String, JsonNode> param : params.properties()) {
      param(path + ".params." + param.getKey(), at, param.getKey(), param.getValue(), false);
    }
    ecommerce(params, name, path, at);
  }

  private void ecommerce(JsonNode params, String name, String path, String at) {
    JsonNode value = params.get("value");
    if (value != null && !value.isNull()) {
      if (!value.isNumber()) {
        add(path + ".params.value", at + " has a value that is not a number.", "VALUE_INVALID");
      }
      if (blank(params.get("currency"))) {
        add(path + ".params.currency", at + " has a value but no currency.", "VALUE_REQUIRED");
      }
    }
    JsonNode currency = params.get("currency");
    if (currency != null && !currency.isNull() && !currency.asText().matches("[A-Z]{3}")) {
      add(path + ".params.currency", at + " has currency [" + currency.asText() + "]; it must be a 3-letter"
          + " ISO 4217 code.", "VALUE_INVALID");
    }
    if (name != null && NEEDS_TRANSACTION_ID.contains(name) && blank(params.get("transaction_id"))) {
      add(path + ".params.transaction_id", at + " (" + name + ") has no transaction_id.", "VALUE_REQUIRED");
    }
    JsonNode items = params.get("items");
    if (items == null || items.isNull()) {
      return;
    }
    if (!items.isArray()) {
      add(path + ".params.items", at + " has items that are not an array.", "VALUE_INVALID");
      return;
    }
    if (items.size() > MAX_ITEMS) {
      add(path + ".params.items", at + " has " + items.size() + " items; the limit is " + MAX_ITEMS + ".",
          "EXCEEDED_MAX_ENTITIES");
    }
    for (int i = 0; i < items.size(); i++) {
      item(items.get(i), path + ".params.items[" + i + "]", at + " item at index: [" + i + "]");
    }
  }

  private void item(JsonNode item, String path, String at) {
    if (!item.isObject()) {
      add(path, at + " is not an object.", "VALUE_INVALID");
      return;
    }
    if (blank(item.get("item_id")) && blank(item.get("item_name"))) {
      add(path, at + " needs an item_id or an item_name.", "VALUE_REQUIRED");
    }
    int custom = 0;
    for (Map.Entry<String, JsonNode> field : item.properties()) {
      if (!ITEM_FIELDS.contains(field.getKey())) {
        custom++;
      }
      param(path + "." + field.getKey(), at, field.getKey(), field.getValue(), true);
    }
    if (custom > MAX_CUSTOM_ITEM_PARAMS) {
      add(path, at + " has " + custom + " custom parameters; the limit is " + MAX_CUSTOM_ITEM_PARAMS + ".",
          "EXCEEDED_MAX_ENTITIES");
    }
  }

  private void param(String path, String at, String name, JsonNode value, boolean ofItem) {
    if (!Ga4Names.wellFormed(name, Ga4Names.MAX_PARAM_NAME)) {
      add(path, at + " has invalid parameter name [" + name + "].", "NAME_INVALID");
    } else if (Ga4Names.reservedParam(name)) {
      add(path, at + " has parameter name [" + name + "] which is reserved.", "NAME_RESERVED");
    }
    if (value.isTextual()) {
      int max = ofItem ? MAX_PARAM_VALUE : LONGER_PARAMS.getOrDefault(name, MAX_PARAM_VALUE);
      if (value.textValue().length() > max) {
        add(path, at + " has parameter [" + name + "] longer than " + max + " characters.", "VALUE_OUT_OF_BOUNDS");
      }
    } else if (value.isContainerNode() && !(name.equals("items") && !ofItem)) {
      add(path, at + " has parameter [" + name + "] that is neither a string nor a number.", "VALUE_INVALID");
    }
  }

  private void userProperties(JsonNode properties) {
    if (properties == null || properties.isNull()) {
      return;
    }
    if (!properties.isObject()) {
      add("user_properties", "user_properties must be an object.", "VALUE_INVALID");
      return;
    }
    if (properties.size() > MAX_USER_PROPERTIES) {
      add("user_properties", "There are " + properties.size() + " user properties; the limit is "
          + MAX_USER_PROPERTIES + ".", "EXCEEDED_MAX_ENTITIES");
    }
    for (Map.Entry<String, JsonNode> property : properties.properties()) {
      String name = property.getKey();
      String path = "user_properties." + name;
      if (!Ga4Names.wellFormed(name, Ga4Names.MAX_USER_PROPERTY_NAME)) {
        add(path, "User property name [" + name + "] is invalid: letters, digits and underscores, starting with a"
            + " letter, at most " + Ga4Names.MAX_USER_PROPERTY_NAME + " characters.", "NAME_INVALID");
      } else if (Ga4Names.reservedUserProperty(name)) {
        add(path, "User property name [" + name + "] is reserved.", "NAME_RESERVED");
      }
      JsonNode value = property.getValue().get("value");
      if (!property.getValue().isObject() || value == null) {
        add(path + ".value", "User property [" + name + "] needs a value.", "VALUE_REQUIRED");
      } else if (value.isTextual() && value.textValue().length() > MAX_USER_PROPERTY_VALUE) {
        add(path + ".value", "User property [" + name + "] is longer than " + MAX_USER_PROPERTY_VALUE
            + " characters.", "VALUE_OUT_OF_BOUNDS");
      } else if (value.isContainerNode()) {
        add(path + ".value", "User property [" + name + "] is neither a string nor a number.", "VALUE_INVALID");
      }
    }
  }

  private void consent(JsonNode consent) {
    if (consent == null || consent.isNull()) {
      return;
    }
    for (String field : List.of("ad_user_data", "ad_personalization")) {
      JsonNode value = consent.get(field);
      if (value != null && !CONSENT_VALUES.contains(value.asText())) {
        add("consent." + field, "consent." + field + " must be GRANTED or DENIED.", "VALUE_INVALID");
      }
    }
  }

  /** Hashed fields must be SHA-256 hex: anything else would be a plain e-mail address or phone number sent to Google. */
  private void userData(JsonNode userData) {
    if (userData == null || userData.isNull()) {
      return;
    }
    for (String field : List.of("sha256_email_address", "sha256_phone_number")) {
      hashes(userData.get(field), "user_data." + field);
    }
    JsonNode addresses = userData.path("address");
    for (int i = 0; i < addresses.size(); i++) {
      for (String field : List.of("sha256_first_name", "sha256_last_name", "sha256_street")) {
        hashes(addresses.get(i).get(field), "user_data.address[" + i + "]." + field);
      }
    }
  }

  private void hashes(JsonNode node, String path) {
    if (node == null) {
      return;
    }
    List<JsonNode> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(values::add);
    } else {
      values.add(node);
    }
    for (JsonNode value : values) {
      if (!value.isTextual() || !value.textValue().matches("[0-9a-f]{64}")) {
        add(path, path + " must hold lower-case hex SHA-256 hashes.", "VALUE_INVALID");
        return;
      }
    }
  }

  private void timestamp(JsonNode micros, String path, String what) {
    if (micros == null || micros.isNull()) {
      return;
    }
    boolean whole = micros.isIntegralNumber() && micros.canConvertToLong()
        || micros.isTextual() && micros.textValue().matches("\\d{1,18}"); // proto3 JSON also takes int64 as a string
    if (!whole) {
      add(path, what + " has a timestamp_micros that is not a whole number.", "VALUE_INVALID");
      return;
    }
    long oldest = (now.getEpochSecond() - MAX_BACKDATING.toSeconds()) * 1_000_000L;
    if (micros.asLong() < oldest) {
      add(path, what + " is backdated more than " + MAX_BACKDATING.toHours() + " hours.", "VALUE_OUT_OF_BOUNDS");
    }
  }

  private void add(String fieldPath, String description, String code) {
    messages.add(new Message(fieldPath, description, code));
  }

  private static boolean blank(JsonNode node) {
    return node == null || node.isNull() || node.asText().isEmpty();
  }

  private static int size(JsonNode body) {
    try {
      return JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8).length;
    } catch (JsonProcessingException e) {
      return Integer.MAX_VALUE;
    }
  }
}
