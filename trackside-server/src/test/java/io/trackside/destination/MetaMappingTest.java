package io.trackside.destination;

import static io.trackside.destination.MetaTestEvents.CLOCK;
import static io.trackside.destination.MetaTestEvents.NOW;
import static io.trackside.destination.MetaTestEvents.PIXEL;
import static io.trackside.destination.MetaTestEvents.TOKEN;
import static io.trackside.destination.MetaTestEvents.destination;
import static io.trackside.destination.MetaTestEvents.page;
import static io.trackside.destination.MetaTestEvents.track;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetaMappingTest {

  private static final String PRODUCT = "{\"product_id\":\"SKU-1\",\"name\":\"Linen shirt\",\"category\":\"Shirts\","
      + "\"price\":19.99,\"quantity\":3,\"currency\":\"eur\"}";
  private static final String ORDER = "{\"order_id\":\"T-981\",\"revenue\":39.0,\"currency\":\"EUR\",\"products\":["
      + "{\"product_id\":\"SKU-1\",\"price\":19.5,\"quantity\":2},{\"sku\":\"SKU-2\",\"price\":\"5.25\"}]}";

  private static Mapped.Send send(Mapped mapped) {
    assertThat(mapped).isInstanceOf(Mapped.Send.class);
    return (Mapped.Send) mapped;
  }

  private static JsonNode body(MetaTestEvents.Builder event) {
    return send(destination().map(event.build())).body();
  }

  @Test
  void platformDefaults() {
    MetaDestination meta = destination();
    assertThat(meta.type()).isEqualTo("meta");
    assertThat(meta.requiredConsent()).isEqualTo(Set.of("advertising"));
    assertThat(meta.limits().maxEvents()).isEqualTo(1000);
    assertThat(meta.limits().maxAge()).isEqualTo(Duration.ofDays(7));
    assertThat(meta.limits().maxBytes()).isGreaterThanOrEqualTo(1_000_000);
    assertThat(meta.settings().apiVersion()).matches("v2[1-9]\\.0");
  }

  @Test
  void aPageIsAPageViewWithTheWebsiteFields() {
    Instant at = NOW.minusSeconds(120);
    var event = page().at(at).referrer("https://www.google.com/").build();
    Mapped.Send send = send(destination().map(event));
    JsonNode body = send.body();
    assertThat(body.get("event_name").asText()).isEqualTo("PageView");
    assertThat(body.get("event_time").asLong()).isEqualTo(at.getEpochSecond());
    assertThat(body.get("event_time").isIntegralNumber()).isTrue();
    assertThat(body.get("action_source").asText()).isEqualTo("website");
    assertThat(body.get("event_source_url").asText()).isEqualTo("https://shop.example/products/sku-1");
    assertThat(body.get("referrer_url").asText()).isEqualTo("https://www.google.com/");
    assertThat(body.get("opt_out").asBoolean(true)).isFalse();
    assertThat(body.get("event_id").asText()).isEqualTo(event.eventId());
    assertThat(body.has("custom_data")).isFalse();
    assertThat(send.eventId()).isEqualTo(event.eventId());
    assertThat(send.batchKey()).isNull();
    assertThat(send.bytes()).isEqualTo(body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1);
  }

  @ParameterizedTest
  @CsvSource({
      "Product Viewed, ViewContent", "Product Added, AddToCart", "Checkout Started, InitiateCheckout",
      "Payment Info Entered, AddPaymentInfo", "Order Completed, Purchase", "Products Searched, Search",
      "Signed Up, CompleteRegistration", "Lead, Lead", "Form Submitted, Lead",
      "Product Added to Wishlist, AddToWishlist"})
  void segmentSpecEventsBecomeMetaStandardEvents(String segment, String meta) {
    assertThat(body(track(segment).properties(ORDER)).get("event_name").asText()).isEqualTo(meta);
  }

  @Test
  void otherEventsAreSkippedUnlessTheOperatorNamesThem() {
    assertThat(destination().map(track("Video Played").build())).isEqualTo(new Mapped.Skip("not_mapped_for_meta"));
    for (String type : List.of("identify", "group", "alias", "screen")) {
      assertThat(destination().map(MetaTestEvents.ofType(type).build())).as(type)
          .isEqualTo(new Mapped.Skip("not_mapped_for_meta"));
    }
    assertThat(destination().map(page().bot().build())).isEqualTo(new Mapped.Skip("bot"));

    var config = MetaTestEvents.config("{\"pixel-id\":\"" + PIXEL + "\",\"access-token\":\"" + TOKEN + "\"}",
        Map.of("Video Played", "WatchedVideo", "Product Viewed", "ViewProductPage", "Lead", ""));
    var meta = new MetaDestination(config, CLOCK);
    assertThat(send(meta.map(track("Video Played").build())).body().get("event_name").asText())
        .isEqualTo("WatchedVideo");
    assertThat(send(meta.map(track("Product Viewed").build())).body().get("event_name").asText())
        .isEqualTo("ViewProductPage");
    assertThat(send(meta.map(track("Order Completed").properties(ORDER).build())).body().get("event_name")
        .asText()).isEqualTo("Purchase"); // the defaults the operator did not touch stay
    assertThat(meta.map(track("Lead").build())).isEqualTo(new Mapped.Skip("not_mapped_for_meta"));
  }

  @Test
  void anOrderCarriesValueCurrencyAndItsProducts() {
    JsonNode custom = body(track("Order Completed").properties(ORDER)).get("custom_data");
    assertThat(custom.get("value").decimalValue()).isEqualByComparingTo("39.0");
    assertThat(custom.get("currency").asText()).isEqualTo("EUR");
    assertThat(custom.get("order_id").asText()).isEqualTo("T-981");
    assertThat(custom.get("content_type").asText()).isEqualTo("product");
    assertThat(custom.get("num_items").asInt()).isEqualTo(3);
    assertThat(custom.get("content_ids")).extracting(JsonNode::asText).containsExactly("SKU-1", "SKU-2");
    JsonNode first = custom.get("contents").get(0);
    assertThat(first.get("id").asText()).isEqualTo("SKU-1");
    assertThat(first.get("quantity").asInt()).isEqualTo(2);
    assertThat(first.get("item_price").decimalValue()).isEqualByComparingTo("19.5");
    JsonNode second = custom.get("contents").get(1);
    assertThat(second.get("quantity").asInt()).isEqualTo(1); // no quantity: one
    assertThat(second.get("item_price").decimalValue()).isEqualByComparingTo("5.25"); // a price sent as text
  }

  @Test
  void valueIsValueThenRevenueThenTotalThenThePrices() {
    assertThat(value("{\"value\":10,\"revenue\":20,\"total\":30,\"currency\":\"USD\"}")).isEqualByComparingTo("10");
    assertThat(value("{\"revenue\":20,\"total\":30,\"currency\":\"USD\"}")).isEqualByComparingTo("20");
    assertThat(value("{\"total\":30,\"currency\":\"USD\"}")).isEqualByComparingTo("30");
    // 19.5 × 2 + 5.25: exact, no floating-point remainder
    assertThat(value(ORDER.replace("\"revenue\":39.0,", ""))).isEqualByComparingTo("44.25");
    JsonNode product = body(track("Product Added").properties(PRODUCT)).get("custom_data");
    assertThat(product.get("value").decimalValue()).isEqualByComparingTo("59.97"); // price × quantity
    assertThat(product.get("currency").asText()).isEqualTo("EUR");
    assertThat(product.get("contents").get(0).get("id").asText()).isEqualTo("SKU-1");
    assertThat(product.get("content_name").asText()).isEqualTo("Linen shirt");
    assertThat(product.get("content_category").asText()).isEqualTo("Shirts");
    assertThat(product.has("num_items")).isFalse();
  }

  private static java.math.BigDecimal value(String properties) {
    return body(track("Order Completed").properties(properties)).get("custom_data").get("value").decimalValue();
  }

  @Test
  void aPurchaseWithoutValueOrCurrencyIsRejected() {
    assertThat(destination().map(track("Order Completed").properties("{\"order_id\":\"T-1\",\"revenue\":10}")
        .build())).isInstanceOf(Mapped.Reject.class)
        .extracting(m -> ((Mapped.Reject) m).reason()).asString().startsWith("purchase_without_value");
    assertThat(destination().map(track("Order Completed").properties("{\"currency\":\"EUR\"}").build()))
        .isInstanceOf(Mapped.Reject.class);
    // Another event without a currency goes without its value rather than not at all.
    JsonNode custom = body(track("Product Viewed").properties("{\"product_id\":\"SKU-1\",\"price\":5}"))
        .get("custom_data");
    assertThat(custom.has("value")).isFalse();
    assertThat(custom.has("currency")).isFalse();
    assertThat(custom.get("content_ids").get(0).asText()).isEqualTo("SKU-1");

    // A shop in one currency can name it once.
    var config = MetaTestEvents.config("{\"pixel-id\":\"" + PIXEL + "\",\"access-token\":\"" + TOKEN
        + "\",\"default-currency\":\"usd\"}", Map.of());
    JsonNode withDefault = send(new MetaDestination(config, CLOCK).map(track("Order Completed")
        .properties("{\"revenue\":10}").build())).body().get("custom_data");
    assertThat(withDefault.get("currency").asText()).isEqualTo("USD");
  }

  @Test
  void aSearchCarriesItsQuery() {
    JsonNode custom = body(track("Products Searched").properties("{\"query\":\"linen shirt\"}")).get("custom_data");
    assertThat(custom.get("search_string").asText()).isEqualTo("linen shirt");
  }

  @Test
  void eventIdIsTheOneTheSiteGaveThePixel() {
    var event = track("Order Completed").properties(ORDER.replace("{", "{\"event_id\":\"T-981-purchase\","));
    assertThat(body(event).get("event_id").asText()).isEqualTo("T-981-purchase");
    assertThat(body(track("Lead").properties("{\"eventId\":\"lead-7\"}")).get("event_id").asText())
        .isEqualTo("lead-7");
    assertThat(body(page().context("{\"event_id\":\"pv-3\"}")).get("event_id").asText()).isEqualTo("pv-3");
    assertThat(body(page().properties("{\"event_id\":\"p\"}").context("{\"event_id\":\"c\"}")).get("event_id")
        .asText()).isEqualTo("p");
    // Without one, the event's stable id: the same for every retry and replay of the event.
    var plain = page().messageId("m-1").build();
    assertThat(send(destination().map(plain)).body().get("event_id").asText())
        .isEqualTo(EnrichedLogRecords.eventId("web", "m-1"));
  }

  @Test
  void eventsOlderThanSevenDaysAreRejected() {
    var old = track("Lead").at(NOW.minus(Duration.ofDays(7)).minusSeconds(1)).build();
    assertThat(destination().map(old)).isInstanceOf(Mapped.Reject.class)
        .extracting(m -> ((Mapped.Reject) m).reason()).asString().startsWith("too_old_for_meta");
    var recent = track("Lead").at(NOW.minus(Duration.ofDays(7)).plusSeconds(60)).build();
    assertThat(destination().map(recent)).isInstanceOf(Mapped.Send.class);
  }

  @Test
  void aTimestampAfterArrivalIsDatedAtArrival() {
    Instant received = NOW.minusSeconds(30);
    var event = page().at(received.plus(Duration.ofHours(5)), received).build();
    assertThat(send(destination().map(event)).body().get("event_time").asLong()).isEqualTo(received.getEpochSecond());
  }

  @Test
  void websiteEventsNeedBrowserPageAndSomeoneToMatch() {
    assertThat(reason(page().userAgent(null))).startsWith("no_client_user_agent");
    assertThat(reason(page().pageUrl(null))).startsWith("no_event_source_url");
    assertThat(reason(page().ip(null))).startsWith("no_user_data");
  }

  private static String reason(MetaTestEvents.Builder event) {
    Mapped mapped = destination().map(event.build());
    assertThat(mapped).isInstanceOf(Mapped.Reject.class);
    return ((Mapped.Reject) mapped).reason();
  }

  @Test
  void mappingTheSameEventTwiceGivesTheSameBody() {
    var event = track("Order Completed").properties(ORDER).userId("u-1").fbclid(MetaTestEvents.FBCLID).build();
    assertThat(send(destination().map(event)).body()).isEqualTo(send(destination().map(event)).body());
  }

  @Test
  void theRequestPostsDataToThePixelsEdge() throws Exception {
    var config = MetaTestEvents.config("{\"pixel-id\":\"" + PIXEL + "\",\"access-token\":\"" + TOKEN
        + "\",\"test-event-code\":\"TEST123\",\"api-version\":\"v24.0\"}", Map.of());
    var meta = new MetaDestination(config, CLOCK);
    var a = send(meta.map(page().build()));
    var b = send(meta.map(track("Lead").build()));
    OutgoingRequest request = meta.request(List.of(a, b));
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.uri().toString()).isEqualTo("https://graph.facebook.com/v24.0/" + PIXEL
        + "/events?access_token=EAAB-test-token%2F%2B%3D");
    assertThat(request.headers()).containsEntry("Content-Type", "application/json");
    JsonNode body = MetaTestEvents.parse(MetaTestEvents.utf8(request.body()));
    // As text: parsing reads event_time back as an int node where the mapping wrote a long.
    assertThat(body.get("data")).extracting(JsonNode::toString).containsExactly(a.body().toString(),
        b.body().toString());
    assertThat(body.get("test_event_code").asText()).isEqualTo("TEST123");
    assertThat(request.body().length).isLessThanOrEqualTo(a.bytes() + b.bytes() + 40);

    JsonNode production = MetaTestEvents.parse(MetaTestEvents.utf8(destination().request(List.of(a)).body()));
    assertThat(production.has("test_event_code")).isFalse();
  }

  @Test
  void settingsAreCheckedAndTheTokenStaysOutOfToString() {
    assertThatThrownBy(() -> new MetaDestination(MetaTestEvents.config("{\"access-token\":\"t\"}", Map.of())))
        .hasMessageContaining("pixel-id");
    assertThatThrownBy(() -> new MetaDestination(MetaTestEvents.config("{\"pixel-id\":\"1\"}", Map.of())))
        .hasMessageContaining("access-token");
    assertThatThrownBy(() -> new MetaDestination(MetaTestEvents.config(
        "{\"pixel-id\":\"1\",\"access-token\":\"t\",\"api-version\":\"21\"}", Map.of())))
        .hasMessageContaining("api-version");
    assertThat(destination().settings().toString()).doesNotContain(TOKEN).contains(PIXEL);
  }
}
