package io.trackside.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessageBuilderTest {
  private static final ObjectMapper JACKSON = new ObjectMapper();

  private static JsonNode json(Message m) throws Exception {
    return JACKSON.readTree(m.toJson());
  }

  @Test
  void buildAssignsAUuidMessageIdTheTimestampAndTheLibrary() throws Exception {
    Instant before = Instant.now();
    Message a = TrackMessage.builder("Order Completed").userId("u-1").properties(Map.of("revenue", 10)).build();
    Message b = TrackMessage.builder("Order Completed").userId("u-1").build();
    assertThat(UUID.fromString(a.messageId()).toString()).isEqualTo(a.messageId());
    assertThat(a.messageId()).isNotEqualTo(b.messageId());
    assertThat(a.timestamp()).isBetween(before.minusMillis(1), Instant.now());
    JsonNode n = json(a);
    assertThat(n.get("type").asText()).isEqualTo("track");
    assertThat(n.get("event").asText()).isEqualTo("Order Completed");
    assertThat(n.get("messageId").asText()).isEqualTo(a.messageId());
    assertThat(Duration.between(Instant.parse(n.get("timestamp").asText()), a.timestamp()).abs().toMillis()).isLessThan(1);
    assertThat(n.get("context").get("library").get("name").asText()).isEqualTo("trackside-java");
    assertThat(n.get("context").get("library").get("version").asText()).isEqualTo(Library.VERSION).doesNotContain("${");
    assertThat(n.get("properties").get("revenue").asInt()).isEqualTo(10);
  }

  @Test
  void theMessageIsASnapshotOfTheMapsItWasBuiltFrom() throws Exception {
    Map<String, Object> properties = new HashMap<>(Map.of("step", 1));
    Message m = TrackMessage.builder("Checkout Step").anonymousId("a").properties(properties).build();
    properties.put("step", 2);
    assertThat(json(m).get("properties").get("step").asInt()).isEqualTo(1);
  }

  @Test
  void cookielessMarksTheContextAndKeepsWhatTheCallerPutThere() throws Exception {
    Message m = PageMessage.builder().cookieless()
        .context(Map.of("ip", "203.0.113.9", "trackside", Map.of("consent", "x"), "library", Map.of("name", "mine")))
        .build();
    JsonNode context = json(m).get("context");
    assertThat(context.get("trackside").get("cookieless").asBoolean()).isTrue();
    assertThat(context.get("trackside").get("consent").asText()).isEqualTo("x");
    assertThat(context.get("ip").asText()).isEqualTo("203.0.113.9");
    assertThat(context.get("library").get("name").asText()).isEqualTo("trackside-java");
    assertThat(json(m).has("anonymousId")).isFalse();
    assertThat(json(m).has("userId")).isFalse();
  }

  @Test
  void eachTypeCarriesItsOwnFields() throws Exception {
    assertThat(json(PageMessage.builder("Pricing").category("Docs").anonymousId("a").build()).get("name").asText())
        .isEqualTo("Pricing");
    assertThat(json(ScreenMessage.builder("Home").userId("u").build()).get("type").asText()).isEqualTo("screen");
    assertThat(json(IdentifyMessage.builder().userId("u").traits(Map.of("plan", "pro")).build()).get("traits").get("plan").asText())
        .isEqualTo("pro");
    assertThat(json(GroupMessage.builder("g-1").userId("u").build()).get("groupId").asText()).isEqualTo("g-1");
    JsonNode alias = json(AliasMessage.builder("anon-1").userId("u").build());
    assertThat(alias.get("previousId").asText()).isEqualTo("anon-1");
    assertThat(alias.get("userId").asText()).isEqualTo("u");
    JsonNode integrations = json(TrackMessage.builder("x").userId("u").enableIntegration("All", false)
        .enableIntegration("GA4", true).build()).get("integrations");
    assertThat(integrations.toString()).isEqualTo("{\"All\":false,\"GA4\":true}");
  }

  @Test
  void whatTheServerWouldQuarantineIsRefusedAtBuild() {
    List<MessageBuilder<?>> invalid = List.of(
        TrackMessage.builder("x"),                                  // no ids
        TrackMessage.builder(null).userId("u"),                     // no event
        GroupMessage.builder("").userId("u"),                       // no groupId
        AliasMessage.builder("old").anonymousId("a"),               // no new userId
        AliasMessage.builder(null).userId("u"),                     // no previousId
        TrackMessage.builder("x").userId("u").messageId("m".repeat(100)));
    for (MessageBuilder<?> b : invalid) {
      assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class);
    }
  }
}
