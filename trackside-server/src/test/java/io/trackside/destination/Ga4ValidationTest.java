package io.trackside.destination;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ga4ValidationTest {

  static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");

  /** protocols.md §2.6's example request. */
  static final String EXAMPLE = """
      {"client_id":"1234567890.1700000000","user_id":"u-42",
       "consent":{"ad_user_data":"GRANTED","ad_personalization":"DENIED"},
       "events":[{"name":"purchase","params":{
         "transaction_id":"T-981","currency":"EUR","value":39.0,"tax":6.2,"shipping":4.9,
         "session_id":"1700000123","engagement_time_msec":100,
         "items":[{"item_id":"SKU-1","item_name":"Mug","price":19.5,"quantity":2}]}}]}""";

  private static JsonNode parse(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<String> findings(String json) {
    return findings(parse(json));
  }

  /** "CODE fieldPath" of each message. */
  private static List<String> findings(JsonNode body) {
    return Ga4Validation.validate(body, NOW).stream().map(m -> m.validationCode() + " " + m.fieldPath()).toList();
  }

  private static ObjectNode example() {
    return (ObjectNode) parse(EXAMPLE);
  }

  private static ObjectNode params(ObjectNode body) {
    return (ObjectNode) body.get("events").get(0).get("params");
  }

  @Test
  void theDocumentedExampleIsValid() {
    assertThat(findings(EXAMPLE)).isEmpty();
  }

  @Test
  void aClientIdAndAnEventAreRequired() {
    assertThat(findings("{\"events\":[{\"name\":\"x\"}]}")).containsExactly("VALUE_REQUIRED client_id");
    assertThat(findings("{\"app_instance_id\":\"abc\",\"events\":[{\"name\":\"x\"}]}")).isEmpty();
    assertThat(findings("{\"client_id\":\"1.2\",\"events\":[]}")).containsExactly("VALUE_REQUIRED events");
    assertThat(findings("[1]")).containsExactly("VALUE_INVALID ");
  }

  @Test
  void atMost25EventsPerRequest() {
    ObjectNode body = example();
    ArrayNode events = (ArrayNode) body.get("events");
    while (events.size() < 25) {
      events.add(events.get(0).deepCopy());
    }
    assertThat(findings(body)).isEmpty();
    events.add(events.get(0).deepCopy());
    assertThat(findings(body)).containsExactly("EXCEEDED_MAX_ENTITIES events");
  }

  @Test
  void eventNamesMustBeWellFormedAndUnreserved() {
    assertThat(findings("{\"client_id\":\"c\",\"events\":[{\"name\":\"_bad\"},{\"name\":\"session_start\"},"
        + "{\"name\":\"" + "a".repeat(41) + "\"},{\"name\":\"ok_name\"},{\"params\":{}},{\"name\":\"google_x\"}]}"))
        .containsExactly("NAME_INVALID events[0].name", "NAME_RESERVED events[1].name", "NAME_INVALID events[2].name",
            "VALUE_REQUIRED events[4].name", "NAME_RESERVED events[5].name");
    var message = Ga4Validation.validate(parse("{\"client_id\":\"c\",\"events\":[{\"name\":\"_bad\"}]}"), NOW).get(0);
    assertThat(message.description()).startsWith("Event at index: [0] has invalid name [_bad].");
  }

  @Test
  void parameterCountNamesAndValues() {
    ObjectNode body = example();
    ObjectNode params = params(body);
    for (int i = 0; params.size() < 25; i++) {
      params.put("custom_" + i, i);
    }
    assertThat(findings(body)).isEmpty();
    params.put("one_too_many", 1);
    assertThat(findings(body)).containsExactly("EXCEEDED_MAX_ENTITIES events[0].params");

    body = example();
    params(body).put("long_text", "x".repeat(101));
    params(body).put("page_location", "https://shop.example/" + "p".repeat(900)); // page_location may have 1,000
    params(body).put("page_title", "t".repeat(301));
    params(body).put("ga_thing", "x");
    params(body).put("9lives", "x");
    params(body).putObject("nested").put("a", 1);
    params(body).putArray("list").add(1);
    assertThat(findings(body)).containsExactly("VALUE_OUT_OF_BOUNDS events[0].params.long_text",
        "VALUE_OUT_OF_BOUNDS events[0].params.page_title", "NAME_RESERVED events[0].params.ga_thing",
        "NAME_INVALID events[0].params.9lives", "VALUE_INVALID events[0].params.nested",
        "VALUE_INVALID events[0].params.list");
  }

  @Test
  void aValueNeedsACurrencyAndPurchasesAndRefundsATransactionId() {
    ObjectNode body = example();
    params(body).remove("currency");
    params(body).remove("transaction_id");
    assertThat(findings(body)).containsExactly("VALUE_REQUIRED events[0].params.currency",
        "VALUE_REQUIRED events[0].params.transaction_id");

    body = example();
    params(body).put("currency", "€");
    params(body).put("value", "39");
    assertThat(findings(body)).containsExactly("VALUE_INVALID events[0].params.value",
        "VALUE_INVALID events[0].params.currency");

    assertThat(findings("{\"client_id\":\"c\",\"events\":[{\"name\":\"refund\",\"params\":{}},"
        + "{\"name\":\"view_item\",\"params\":{\"items\":[{\"item_id\":\"a\"}]}}]}"))
        .containsExactly("VALUE_REQUIRED events[0].params.transaction_id");
  }

  @Test
  void itemsNeedAnIdOrANameAndAtMostTenCustomParameters() {
    ObjectNode body = example();
    ArrayNode items = (ArrayNode) params(body).get("items");
    items.addObject().put("item_name", "Only a name");
    items.addObject().put("price", 3);
    ObjectNode custom = items.addObject().put("item_id", "c");
    for (int i = 0; i < 10; i++) {
      custom.put("c" + i, "v");
    }
    assertThat(findings(body)).containsExactly("VALUE_REQUIRED events[0].params.items[2]");
    custom.put("c10", "v");
    custom.put("item_brand", "b".repeat(101));
    assertThat(findings(body)).containsExactly("VALUE_REQUIRED events[0].params.items[2]",
        "VALUE_OUT_OF_BOUNDS events[0].params.items[3].item_brand", "EXCEEDED_MAX_ENTITIES events[0].params.items[3]");
  }

  @Test
  void userPropertyLimits() {
    ObjectNode body = example();
    ObjectNode properties = body.putObject("user_properties");
    for (int i = 0; i < 25; i++) {
      properties.putObject("p" + i).put("value", "v");
    }
    assertThat(findings(body)).isEmpty();
    properties.putObject("first_open_time").put("value", 1);
    properties.putObject("a".repeat(25)).put("value", 1);
    properties.putObject("long_value").put("value", "v".repeat(37));
    properties.putObject("no_value");
    assertThat(findings(body)).containsExactly("EXCEEDED_MAX_ENTITIES user_properties",
        "NAME_RESERVED user_properties.first_open_time", "NAME_INVALID user_properties." + "a".repeat(25),
        "VALUE_OUT_OF_BOUNDS user_properties.long_value.value", "VALUE_REQUIRED user_properties.no_value.value");
  }

  @Test
  void eventsCanBeBackdatedAtMost72Hours() {
    long ok = NOW.minus(Duration.ofHours(71)).toEpochMilli() * 1000;
    long old = NOW.minus(Duration.ofHours(73)).toEpochMilli() * 1000;
    ObjectNode body = example();
    ((ObjectNode) body.get("events").get(0)).put("timestamp_micros", ok);
    body.put("timestamp_micros", Long.toString(ok)); // int64 as a string, as proto3 JSON allows
    assertThat(findings(body)).isEmpty();
    ((ObjectNode) body.get("events").get(0)).put("timestamp_micros", old);
    body.put("timestamp_micros", 1.5);
    assertThat(findings(body)).containsExactly("VALUE_INVALID timestamp_micros",
        "VALUE_OUT_OF_BOUNDS events[0].timestamp_micros");
  }

  @Test
  void theBodyMustStayUnder130kB() {
    ObjectNode body = example();
    ArrayNode events = (ArrayNode) body.get("events");
    while (events.size() < 25) {
      ObjectNode event = events.addObject().put("name", "big");
      for (int i = 0; i < 24; i++) {
        event.with("params").put("p" + i, "x".repeat(100)); // about 2.7 kB per event
      }
    }
    assertThat(findings(body)).isEmpty();
    for (int i = 1; i < 25; i++) {
      ObjectNode items = (ObjectNode) events.get(i).get("params");
      items.putArray("items").addObject().put("item_id", "i").put("item_name", "n".repeat(100));
      for (int j = 0; j < 35; j++) {
        ((ArrayNode) items.get("items")).addObject().put("item_id", "i" + j).put("item_name", "n".repeat(100));
      }
    }
    assertThat(findings(body)).containsExactly("VALUE_OUT_OF_BOUNDS ");
  }

  @Test
  void consentAndUserDataAreChecked() {
    ObjectNode body = example();
    ((ObjectNode) body.get("consent")).put("ad_user_data", "yes");
    body.putObject("user_data").putArray("sha256_email_address").add("person@example.com");
    ((ObjectNode) body.get("user_data")).putArray("address").addObject().put("sha256_first_name", "a".repeat(64))
        .put("sha256_last_name", "Smith");
    assertThat(findings(body)).containsExactly("VALUE_INVALID consent.ad_user_data",
        "VALUE_INVALID user_data.sha256_email_address", "VALUE_INVALID user_data.address[0].sha256_last_name");
  }
}
