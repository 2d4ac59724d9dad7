package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import io.trackside.core.SegmentEvents;
import io.trackside.pipeline.TrackingPlanConfig.Mode;
import io.trackside.pipeline.TrackingPlanConfig.Rules;
import io.trackside.pipeline.TrackingPlanConfig.Unplanned;
import io.trackside.warehouse.TestEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackingPlanTest {

  /** A plan like a shop would write: orders, a product view, and identify traits. */
  static final String SHOP_PLAN = """
      {"description": "shop plan",
       "events": {
         "Order Completed": {"type": "object", "required": ["order_id", "total"],
           "properties": {"order_id": {"type": "string"}, "total": {"type": "number", "minimum": 0},
             "currency": {"enum": ["EUR", "USD", "GBP"]},
             "coupon": {"type": ["string", "null"]},
             "products": {"type": "array", "items": {"type": "object", "required": ["sku"],
               "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer"}}}}}},
         "Product Viewed": {"type": "object", "required": ["product_id"],
           "properties": {"product_id": {"type": "string"}}, "additionalProperties": true},
         "Signed Up": true
       },
       "identify": {"type": "object", "properties": {"email": {"type": "string", "format": "email"}},
                    "additionalProperties": false}
      }""";

  @TempDir
  Path dir;

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  static Event event(String source, String json) {
    return SegmentEvents.decode(TestEvents.received(source, json, TestEvents.RECEIVED_AT));
  }

  static Event track(String source, String name, String properties) {
    return event(source, "{\"type\":\"track\",\"event\":\"" + name + "\",\"anonymousId\":\"a-1\",\"messageId\":\"m-1\","
        + "\"properties\":" + properties + "}");
  }

  private List<String> violations(TrackingPlan plan, Event event, TrackingPlan.Outcome expected) {
    List<String> out = new ArrayList<>();
    assertThat(plan.check(event, out)).isEqualTo(expected);
    return out;
  }

  @Test
  void typesAndRequiredFieldsGiveShortMessagesNamingTheProperty() throws Exception {
    TrackingPlan plan = TrackingPlan.load(write("plan.json", SHOP_PLAN));

    assertThat(violations(plan, track("web", "Order Completed", "{\"order_id\":\"o-1\",\"total\":42.5,\"currency\":\"EUR\"}"),
        TrackingPlan.Outcome.PASSED)).isEmpty();
    assertThat(violations(plan, track("web", "Order Completed", "{\"order_id\":\"o-1\",\"total\":\"42.50\"}"),
        TrackingPlan.Outcome.VIOLATED)).containsExactly("total: must be a number");
    assertThat(violations(plan, track("web", "Order Completed", "{\"total\":1}"), TrackingPlan.Outcome.VIOLATED))
        .containsExactly("order_id: is required");
    assertThat(violations(plan, track("web", "Order Completed", "{}"), TrackingPlan.Outcome.VIOLATED))
        .containsExactlyInAnyOrder("order_id: is required", "total: is required");
    assertThat(violations(plan, track("web", "Order Completed",
        "{\"order_id\":7,\"total\":-1,\"currency\":\"YEN\",\"coupon\":5,"
            + "\"products\":[{\"sku\":\"a\",\"quantity\":1.5},{\"quantity\":2}]}"), TrackingPlan.Outcome.VIOLATED))
        .containsExactlyInAnyOrder(
            "order_id: must be a string",
            "total: must have a minimum value of 0",
            "currency: must be one of \"EUR\", \"USD\", \"GBP\"",
            "coupon: must be one of string, null",
            "products.0.quantity: must be an integer",
            "products.1.sku: is required");
  }

  @Test
  void unplannedEventsAndUncoveredTypesAreToldApart() throws Exception {
    TrackingPlan plan = TrackingPlan.load(write("plan.json", SHOP_PLAN));
    assertThat(violations(plan, track("web", "Cart Abandoned", "{}"), TrackingPlan.Outcome.UNPLANNED)).isEmpty();
    assertThat(violations(plan, track("web", "order completed", "{}"), TrackingPlan.Outcome.UNPLANNED))
        .as("names are exact, like Segment's").isEmpty();
    assertThat(violations(plan, track("web", "Signed Up", "{\"anything\":[1,2]}"), TrackingPlan.Outcome.PASSED))
        .isEmpty();
    Event page = event("web", "{\"type\":\"page\",\"anonymousId\":\"a\",\"properties\":{\"url\":5}}");
    assertThat(violations(plan, page, TrackingPlan.Outcome.NOT_COVERED)).isEmpty();
  }

  @Test
  void identifyTraitsAreCheckedIncludingFormats() throws Exception {
    TrackingPlan plan = TrackingPlan.load(write("plan.yaml", """
        events: {}
        identify:
          type: object
          properties:
            email: {type: string, format: email}
            plan: {enum: [free, pro]}
          additionalProperties: false
        """));
    Event good = event("web", "{\"type\":\"identify\",\"userId\":\"u1\",\"traits\":{\"email\":\"ada@example.com\"}}");
    assertThat(violations(plan, good, TrackingPlan.Outcome.PASSED)).isEmpty();
    Event bad = event("web", "{\"type\":\"identify\",\"userId\":\"u1\","
        + "\"traits\":{\"email\":\"not-an-address\",\"plan\":\"gold\",\"age\":40}}");
    assertThat(violations(plan, bad, TrackingPlan.Outcome.VIOLATED)).containsExactlyInAnyOrder(
        "email: must be a valid email", "plan: must be one of \"free\", \"pro\"", "age: is not in the plan");
  }

  @Test
  void hostileValuesNeverThrowAndMessagesStayShort() throws Exception {
    TrackingPlan plan = TrackingPlan.load(write("plan.json", SHOP_PLAN));
    String hugeKey = "k".repeat(5000);
    StringBuilder deep = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      deep.append("{\"d\":");
    }
    deep.append("1").append("}".repeat(60));
    StringBuilder manyProducts = new StringBuilder("[");
    for (int i = 0; i < 100; i++) {
      manyProducts.append(i == 0 ? "" : ",").append("{\"quantity\":\"x\"}");
    }
    manyProducts.append(']');
    List<String> out = violations(plan, track("web", "Order Completed",
        "{\"order_id\":\"\\u0000\\uD83D\\uDE00" + "x".repeat(100_000) + "\",\"total\":1,\"" + hugeKey + "\":" + deep
            + ",\"products\":" + manyProducts + "}"), TrackingPlan.Outcome.VIOLATED);
    assertThat(out).hasSize(TrackingPlan.MAX_VIOLATIONS + 1);
    assertThat(out.get(TrackingPlan.MAX_VIOLATIONS)).startsWith("… and ");
    assertThat(out).allSatisfy(m -> assertThat(m.length()).isLessThanOrEqualTo(PlanViolationText.MAX_CHARS));
  }

  @Test
  void aBrokenPlanNamesTheEventAndTheProblem() throws Exception {
    assertThatThrownBy(() -> TrackingPlan.load(write("a.json", """
        {"events": {"Order Completed": {"properties": {"total": {"type": "nummber"}}}}}""")))
        .isInstanceOf(InvalidTrackingPlanException.class)
        .hasMessageContaining("event \"Order Completed\"")
        .hasMessageContaining("/properties/total/type")
        .hasMessageContaining("a.json");
    assertThatThrownBy(() -> TrackingPlan.load(write("b.json", "{\"events\": {\"X\": {\"required\": \"id\"}}}")))
        .hasMessageContaining("event \"X\"").hasMessageContaining("/required");
    assertThatThrownBy(() -> TrackingPlan.load(write("c.json", "{\"events\": {\"Y\": {\"$ref\": \"#/$defs/missing\"}}}")))
        .hasMessageContaining("event \"Y\"").hasMessageContaining("cannot be compiled");
    assertThatThrownBy(() -> TrackingPlan.load(write("d.json", "{\"events\": {\"Z\": {\"pattern\": \"(\"}}}")))
        .hasMessageContaining("event \"Z\"");
    assertThatThrownBy(() -> TrackingPlan.load(write("e.json", "{\"evnts\": {}}")))
        .hasMessageContaining("unknown key \"evnts\"");
    assertThatThrownBy(() -> TrackingPlan.load(write("f.json", "{\"events\": {\"A\": 1}}")))
        .hasMessageContaining("event \"A\"").hasMessageContaining("must be a JSON Schema object");
    assertThatThrownBy(() -> TrackingPlan.load(write("g.json", "{\"events\": {\"A\": {}},")))
        .hasMessageContaining("is not valid JSON");
    assertThatThrownBy(() -> TrackingPlan.load(write("h.yml", "events:\n  A: [unclosed\n")))
        .hasMessageContaining("is not valid YAML");
    assertThatThrownBy(() -> TrackingPlan.load(dir.resolve("missing.json")))
        .hasMessageContaining("cannot read").hasMessageContaining("missing.json");
    assertThatThrownBy(() -> TrackingPlan.load(write("i.json",
        "{\"events\": {\"R\": {\"$ref\": \"https://schemas.example.invalid/order.json\"}}}")))
        .hasMessageContaining("event \"R\"");
  }

  @Test
  void anOlderDraftNamedBySchemaIsHonoured() throws Exception {
    TrackingPlan plan = TrackingPlan.load(write("plan.json", """
        {"events": {"Old": {"$schema": "http://json-schema.org/draft-07/schema#",
                            "properties": {"n": {"type": "integer"}}, "required": ["n"]}}}"""));
    assertThat(violations(plan, track("web", "Old", "{\"n\":\"1\"}"), TrackingPlan.Outcome.VIOLATED))
        .containsExactly("n: must be an integer");
  }

  private static TrackingPlanConfig config(Path file, Mode mode, Unplanned unplanned, Map<String, Rules> sources) {
    return new TrackingPlanConfig(file, new Rules(mode, unplanned), sources);
  }

  private static EnrichedEvent run(ActiveTrackingPlan active, Event event) {
    Pipeline pipeline = new StandardPipeline(PipelineConfig.defaults(), new StepTimings(new SimpleMeterRegistry()),
        active).create(0);
    return pipeline.process(event);
  }

  @Test
  void allowModeStoresTheEventWithItsViolations() throws Exception {
    ActiveTrackingPlan active = ActiveTrackingPlan.load(config(write("plan.json", SHOP_PLAN), Mode.ALLOW,
        Unplanned.ALLOW, Map.of()));
    EnrichedEvent e = run(active, track("web", "Order Completed", "{\"order_id\":\"o-1\",\"total\":\"12\"}"));
    assertThat(e.quarantineReason()).isNull();
    assertThat(e.planViolations).containsExactly("total: must be a number");
    assertThat(e.ip).as("later steps still ran").isEqualTo("203.0.113.0");
    assertThat(run(active, track("web", "Whatever", "{}")).planViolations).isEmpty();
  }

  @Test
  void blockModeQuarantinesWithTheMessagesAsDetail() throws Exception {
    ActiveTrackingPlan active = ActiveTrackingPlan.load(config(write("plan.json", SHOP_PLAN), Mode.BLOCK,
        Unplanned.ALLOW, Map.of()));
    EnrichedEvent e = run(active, track("web", "Order Completed", "{\"total\":\"12\"}"));
    assertThat(e.quarantineReason()).isEqualTo("schema_violation");
    assertThat(e.quarantineDetail()).contains("order_id: is required").contains("total: must be a number");
    assertThat(run(active, track("web", "Order Completed", "{\"order_id\":\"o\",\"total\":12}")).decided()).isFalse();
  }

  @Test
  void unplannedEventsAreAllowedFlaggedOrBlocked() throws Exception {
    Path file = write("plan.json", SHOP_PLAN);
    Event unplanned = track("web", "Coupon Entered", "{\"code\":\"X\"}");
    EnrichedEvent allowed = run(ActiveTrackingPlan.load(config(file, Mode.BLOCK, Unplanned.ALLOW, Map.of())), unplanned);
    assertThat(allowed.decided()).isFalse();
    assertThat(allowed.planViolations).isEmpty();
    EnrichedEvent flagged = run(ActiveTrackingPlan.load(config(file, Mode.ALLOW, Unplanned.FLAG, Map.of())), unplanned);
    assertThat(flagged.decided()).isFalse();
    assertThat(flagged.planViolations).containsExactly("unplanned event");
    EnrichedEvent blocked = run(ActiveTrackingPlan.load(config(file, Mode.ALLOW, Unplanned.BLOCK, Map.of())), unplanned);
    assertThat(blocked.quarantineReason()).isEqualTo("unplanned_event");
    assertThat(blocked.quarantineDetail()).isEqualTo("\"Coupon Entered\" is not in the tracking plan");
  }

  @Test
  void eachSourceHasItsOwnRulesAndTheOthersTheDefaults() throws Exception {
    ActiveTrackingPlan active = ActiveTrackingPlan.load(config(write("plan.json", SHOP_PLAN), Mode.ALLOW,
        Unplanned.FLAG, Map.of("backend", new Rules(Mode.BLOCK, Unplanned.BLOCK))));
    Event webBad = track("web", "Order Completed", "{\"order_id\":1,\"total\":1}");
    Event backendBad = track("backend", "Order Completed", "{\"order_id\":1,\"total\":1}");
    assertThat(run(active, webBad).planViolations).containsExactly("order_id: must be a string");
    assertThat(run(active, webBad).decided()).isFalse();
    assertThat(run(active, backendBad).quarantineReason()).isEqualTo("schema_violation");
    assertThat(run(active, track("web", "New Thing", "{}")).planViolations).containsExactly("unplanned event");
    assertThat(run(active, track("backend", "New Thing", "{}")).quarantineReason()).isEqualTo("unplanned_event");
  }

  @Test
  void withoutAPlanNothingIsChecked() {
    EnrichedEvent e = run(ActiveTrackingPlan.none(), track("web", "Anything", "{\"total\":\"x\"}"));
    assertThat(e.decided()).isFalse();
    assertThat(e.planViolations).isEmpty();
  }

  @Test
  void aReloadSwapsThePlanAndAnInvalidOneLeavesTheOldInForce() throws Exception {
    Path file = write("plan.json", SHOP_PLAN);
    ActiveTrackingPlan active = ActiveTrackingPlan.load(config(file, Mode.BLOCK, Unplanned.BLOCK, Map.of()));
    Event coupon = track("web", "Coupon Entered", "{\"code\":\"X\"}");
    assertThat(run(active, coupon).quarantineReason()).isEqualTo("unplanned_event");

    Files.writeString(file, "{\"events\": {\"Coupon Entered\": {\"required\": [\"code\"]}}}");
    TrackingPlan reloaded = active.reload();
    assertThat(reloaded.eventNames()).containsExactly("Coupon Entered");
    assertThat(run(active, coupon).decided()).isFalse();

    Files.writeString(file, "{\"events\": {\"Coupon Entered\": {\"type\": \"strng\"}}}");
    assertThatThrownBy(active::reload).isInstanceOf(InvalidTrackingPlanException.class)
        .hasMessageContaining("event \"Coupon Entered\"");
    assertThat(active.current()).isSameAs(reloaded);
    assertThat(run(active, coupon).decided()).isFalse();
    assertThatThrownBy(() -> ActiveTrackingPlan.none().reload()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tracking-plan.file");
  }
}
