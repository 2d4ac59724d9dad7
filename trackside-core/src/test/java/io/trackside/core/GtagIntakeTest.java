package io.trackside.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gtag hits as gtag.js writes them, through the intake, asserted on the Segment events they become. */
class GtagIntakeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final GtagIntake intake = new GtagIntake(new SegmentIntake(IntakeLimits.segmentDefaults()));

  private List<IntakeItem> parse(String query, String body) throws IntakeException {
    return intake.events(intake.shared(query), body.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode tree(IntakeItem item) throws Exception {
    return JSON.readTree(item.json());
  }

  @Test
  void aSinglePageViewHitIsAPageCallWithPageLocaleScreenCampaignAndTheGaIds() throws Exception {
    GtagIntake.Shared shared = intake.shared(GtagHits.pageView(GtagHits.CID, "1732860000123", 1));
    assertThat(shared.measurementId()).isEqualTo("G-TEST123");
    List<IntakeItem> items = intake.events(shared, new byte[0]);
    assertThat(items).hasSize(1);
    IntakeItem item = items.get(0);
    assertThat(item.valid()).as(item.rejectDetail()).isTrue();
    assertThat(item.visitorKey()).isEqualTo(GtagHits.CID);
    JsonNode e = tree(item);
    assertThat(e.get("type").asText()).isEqualTo("page");
    assertThat(e.has("event")).isFalse();
    assertThat(e.has("timestamp")).as("receipt time: gtag sends no client time").isFalse();
    assertThat(e.get("anonymousId").asText()).isEqualTo(GtagHits.CID);
    assertThat(e.has("userId")).isFalse();
    assertThat(e.get("messageId").asText()).startsWith("gtag-").hasSize(37).isEqualTo(item.messageId());
    JsonNode page = e.at("/context/page");
    assertThat(page.get("url").asText()).isEqualTo("https://shop.example/products/shirt?utm_source=newsletter"
        + "&utm_medium=email&utm_campaign=spring&gclid=Cj0KCQ_test");
    assertThat(page.get("path").asText()).isEqualTo("/products/shirt");
    assertThat(page.get("search").asText()).isEqualTo("?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
        + "&gclid=Cj0KCQ_test");
    assertThat(page.get("referrer").asText()).isEqualTo("https://www.google.com/");
    assertThat(page.get("title").asText()).isEqualTo("Blue Shirt – Shop");
    assertThat(e.at("/properties/url").asText()).isEqualTo(page.get("url").asText());
    assertThat(e.at("/properties/title").asText()).isEqualTo("Blue Shirt – Shop");
    assertThat(e.at("/context/locale").asText()).isEqualTo("en-US");
    assertThat(e.at("/context/screen/width").asInt()).isEqualTo(1920);
    assertThat(e.at("/context/screen/height").asInt()).isEqualTo(1080);
    assertThat(e.at("/context/library/name").asText()).isEqualTo("gtag.js");
    JsonNode ga = e.at("/context/ga");
    assertThat(ga.get("measurementId").asText()).isEqualTo("G-TEST123");
    assertThat(ga.get("clientId").asText()).isEqualTo(GtagHits.CID);
    assertThat(ga.get("sessionId").asText()).isEqualTo("1732860000");
    assertThat(ga.get("sessionNumber").asInt()).isEqualTo(3);
    assertThat(ga.get("sessionEngaged").asBoolean()).isTrue();
    assertThat(ga.get("sessionStart").asBoolean()).isTrue();
    assertThat(ga.get("firstVisit").asBoolean()).isTrue();
    assertThat(ga.get("pageLoadId").asText()).isEqualTo("1732860000123");
    assertThat(ga.get("hitSequence").asInt()).isEqualTo(1);
    assertThat(ga.get("gcs").asText()).isEqualTo("G111");
    // Parameters nothing reads are kept as sent; mapped ones are not repeated there.
    assertThat(ga.at("/other/gtm").asText()).isEqualTo("45je4bk0v9181465235za200");
    assertThat(ga.at("/other/tag_exp").asText()).isEqualTo("101925629~102067555");
    assertThat(ga.at("/other/tfd").asText()).isEqualTo("1234");
    assertThat(ga.get("other").has("cid")).isFalse();
    assertThat(ga.get("other").has("en")).isFalse();
    assertThat(ga.get("other").has("uafvl")).isFalse();
  }

  @Test
  void aBatchedPostIsOneEventPerLineWithLineParametersOverTheSharedOnes() throws Exception {
    List<IntakeItem> items = parse(GtagHits.batchQuery(GtagHits.CID, "1732860000999", 4), GtagHits.SHOP_LINES);
    assertThat(items).hasSize(3).allMatch(IntakeItem::valid);
    JsonNode viewed = tree(items.get(0));
    assertThat(viewed.get("type").asText()).isEqualTo("track");
    assertThat(viewed.get("event").asText()).isEqualTo("Product Viewed");
    // A single-product event: the item is the properties, as the Segment spec has it.
    assertThat(viewed.at("/properties/product_id").asText()).isEqualTo("123");
    assertThat(viewed.at("/properties/name").asText()).isEqualTo("Shirt");
    assertThat(viewed.at("/properties/price").decimalValue()).isEqualByComparingTo("19.99");
    assertThat(viewed.at("/properties/quantity").asInt()).isEqualTo(2);
    assertThat(viewed.at("/properties/currency").asText()).isEqualTo("EUR");
    assertThat(viewed.at("/properties/value").decimalValue()).isEqualByComparingTo("39.98");
    assertThat(viewed.at("/properties").has("products")).isFalse();
    assertThat(viewed.at("/context/ga/engagementTimeMsec").asLong()).isEqualTo(1200);
    assertThat(viewed.at("/context/page/url").asText()).isEqualTo("https://shop.example/cart");
    assertThat(viewed.at("/context/locale").asText()).isEqualTo("de-DE");
    assertThat(tree(items.get(1)).get("event").asText()).isEqualTo("Product Added");
    assertThat(tree(items.get(1)).at("/context/ga/engagementTimeMsec").asLong()).isEqualTo(300);

    JsonNode order = tree(items.get(2));
    assertThat(order.get("event").asText()).isEqualTo("Order Completed");
    JsonNode p = order.get("properties");
    assertThat(p.get("order_id").asText()).isEqualTo("T-981");
    assertThat(p.has("transaction_id")).isFalse();
    assertThat(p.get("revenue").decimalValue()).isEqualByComparingTo("44.48");
    assertThat(p.has("value")).isFalse();
    assertThat(p.get("currency").asText()).isEqualTo("EUR");
    assertThat(p.get("tax").decimalValue()).isEqualByComparingTo("6.2");
    assertThat(p.get("shipping").decimalValue()).isEqualByComparingTo("4.9");
    assertThat(p.get("coupon").asText()).isEqualTo("SPRING");
    JsonNode shirt = p.at("/products/0");
    assertThat(shirt.get("product_id").asText()).isEqualTo("123");
    assertThat(shirt.get("name").asText()).isEqualTo("Shirt");
    assertThat(shirt.get("brand").asText()).isEqualTo("Acme");
    assertThat(shirt.get("category").asText()).isEqualTo("Apparel");
    assertThat(shirt.get("category2").asText()).isEqualTo("Shirts");
    assertThat(shirt.get("variant").asText()).isEqualTo("Blue");
    assertThat(shirt.get("price").isNumber()).isTrue();
    assertThat(shirt.get("price").decimalValue()).isEqualByComparingTo("19.99");
    assertThat(shirt.get("quantity").asInt()).isEqualTo(2);
    assertThat(shirt.get("coupon").asText()).isEqualTo("SHIRT10");
    assertThat(shirt.get("colour").asText()).isEqualTo("sky blue");
    assertThat(p.at("/products/1/name").asText()).as("~~ is a literal tilde").isEqualTo("Socks ~ Co");
    assertThat(p.at("/products/1/price").decimalValue()).isEqualByComparingTo("4.5");

    assertThat(items).extracting(IntakeItem::messageId).doesNotHaveDuplicates();
    List<IntakeItem> again = parse(GtagHits.batchQuery(GtagHits.CID, "1732860000999", 4), GtagHits.SHOP_LINES);
    assertThat(again).extracting(IntakeItem::messageId)
        .as("a retried hit gets the same ids").isEqualTo(items.stream().map(IntakeItem::messageId).toList());
    List<IntakeItem> next = parse(GtagHits.batchQuery(GtagHits.CID, "1732860000999", 5), GtagHits.SHOP_LINES);
    assertThat(next.get(0).messageId()).as("the next hit of the page load").isNotEqualTo(items.get(0).messageId());
  }

  @Test
  void linesSplitAtLfOrCrLfAndBlankLinesAreNoEvents() throws Exception {
    String query = GtagHits.batchQuery(GtagHits.CID, "1", 1);
    assertThat(parse(query, "en=a\nen=b\r\nen=c\r\n\r\n")).hasSize(3);
    assertThat(parse(query, "  \r\n")).as("a blank body: the query is the event").hasSize(1);
    assertThat(GtagIntake.lines("en=a\r\nen=b\nen=c")).containsExactly("en=a", "en=b", "en=c");
  }

  @Test
  void consentFromGcsAndGcdIsWhereTheConsentStepReadsIt() throws Exception {
    JsonNode granted = tree(parse(GtagHits.pageView(GtagHits.CID, "1", 1), "").get(0));
    assertThat(granted.at("/context/consent").toString()).isEqualTo(
        "{\"ad_storage\":\"granted\",\"analytics_storage\":\"granted\",\"ad_user_data\":\"granted\","
            + "\"ad_personalization\":\"granted\"}");
    JsonNode denied = tree(parse(GtagHits.batchQuery(GtagHits.CID, "1", 1), "en=scroll").get(0));
    assertThat(denied.at("/context/consent").toString()).isEqualTo(
        "{\"ad_storage\":\"denied\",\"analytics_storage\":\"denied\",\"ad_user_data\":\"denied\","
            + "\"ad_personalization\":\"denied\"}");
    assertThat(denied.at("/context/ga/gcd").asText()).isEqualTo("13p3p3p2p5l1");
  }

  @Test
  void gcsWinsForItsTwoTypesGcdStatesTheOthersNpaDeniesPersonalisationOnlyWhenNothingElseSays() {
    // Denied by default, granted by the update (r) for ad_user_data; ad_personalization not set (l).
    assertThat(GtagConsent.of("G110", "13p3t3r3l5", null).toString()).isEqualTo(
        "{\"ad_storage\":\"granted\",\"analytics_storage\":\"denied\",\"ad_user_data\":\"granted\"}");
    assertThat(GtagConsent.of(null, "11u1v1m1n5", null).toString()).isEqualTo(
        "{\"ad_storage\":\"denied\",\"analytics_storage\":\"granted\",\"ad_user_data\":\"denied\","
            + "\"ad_personalization\":\"granted\"}");
    assertThat(GtagConsent.of("G1--", null, "1").toString()).isEqualTo("{\"ad_personalization\":\"denied\"}");
    assertThat(GtagConsent.of(null, "11q1q1q1v5", "1").get("ad_personalization").asText()).isEqualTo("granted");
    assertThat(GtagConsent.of(null, null, "0")).as("no signal is no consent object").isNull();
    assertThat(GtagConsent.of("X", "1", null)).isNull();
  }

  @Test
  void clientHintsBecomeUserAgentDataAsAnalyticsJsSendsIt() throws Exception {
    JsonNode e = tree(parse(GtagHits.pageView(GtagHits.CID, "1", 1), "").get(0));
    JsonNode hints = e.at("/context/userAgentData");
    assertThat(hints.get("architecture").asText()).isEqualTo("x86");
    assertThat(hints.get("bitness").asText()).isEqualTo("64");
    assertThat(hints.get("mobile").asBoolean()).isFalse();
    assertThat(hints.get("wow64").asBoolean()).isFalse();
    assertThat(hints.get("platform").asText()).isEqualTo("Windows");
    assertThat(hints.get("platformVersion").asText()).isEqualTo("15.0.0");
    assertThat(hints.has("model")).as("empty uam").isFalse();
    assertThat(hints.get("fullVersionList").toString()).isEqualTo("[{\"brand\":\"Google Chrome\",\"version\":\"137.0.7151.55\"},"
        + "{\"brand\":\"Chromium\",\"version\":\"137.0.7151.55\"},{\"brand\":\"Not/A)Brand\",\"version\":\"24.0.0.0\"}]");
    assertThat(hints.get("brands").toString()).isEqualTo("[{\"brand\":\"Google Chrome\",\"version\":\"137\"},"
        + "{\"brand\":\"Chromium\",\"version\":\"137\"},{\"brand\":\"Not/A)Brand\",\"version\":\"24\"}]");
  }

  @Test
  void userIdUserPropertiesAndNumericParameters() throws Exception {
    JsonNode e = tree(parse(GtagHits.batchQuery(GtagHits.CID, "1", 1) + "&uid=u-42&up.plan=pro&upn.orders=7",
        "en=newsletter_signup&ep.form_id=footer&epn.step=2&epn.score=1.5&epn.bad=abc&ep.empty=").get(0));
    assertThat(e.get("type").asText()).isEqualTo("track");
    assertThat(e.get("event").asText()).as("other events keep their name").isEqualTo("newsletter_signup");
    assertThat(e.get("userId").asText()).isEqualTo("u-42");
    assertThat(e.at("/context/traits/plan").asText()).isEqualTo("pro");
    assertThat(e.at("/context/traits/orders").isIntegralNumber()).isTrue();
    assertThat(e.at("/context/traits/orders").asInt()).isEqualTo(7);
    assertThat(e.at("/properties/form_id").asText()).isEqualTo("footer");
    assertThat(e.at("/properties/step").isIntegralNumber()).isTrue();
    assertThat(e.at("/properties/score").asDouble()).isEqualTo(1.5);
    assertThat(e.at("/properties/bad").asText()).as("kept as text rather than lost").isEqualTo("abc");
    assertThat(e.at("/properties").has("empty")).isFalse();
  }

  @Test
  void specEventsTakeTheSpecsPropertyNames() throws Exception {
    String query = GtagHits.batchQuery(GtagHits.CID, "1", 1);
    List<IntakeItem> items = parse(query, String.join("\n",
        "en=refund&ep.transaction_id=T-1&epn.value=10&cu=USD",
        "en=view_search_results&ep.search_term=blue%20shirt",
        "en=view_item_list&ep.item_list_id=summer&ep.item_list_name=Summer&pr1=idA~nmA&pr2=idB~nmB",
        "en=select_promotion&ep.promotion_id=P1&ep.promotion_name=Sale&ep.creative_name=banner&ep.creative_slot=top",
        "en=login&ep.method=Google",
        "en=add_payment_info&ep.payment_type=card&pr1=idA",
        "en=add_shipping_info&ep.shipping_tier=express&pr1=idA",
        "en=add_to_cart&pr1=idA~nmA~pr1~qt1&pr2=idB~nmB~pr2~qt1"));
    JsonNode refund = tree(items.get(0));
    assertThat(refund.get("event").asText()).isEqualTo("Order Refunded");
    assertThat(refund.at("/properties/order_id").asText()).isEqualTo("T-1");
    assertThat(refund.at("/properties/total").asInt()).isEqualTo(10);
    JsonNode search = tree(items.get(1));
    assertThat(search.get("event").asText()).isEqualTo("Products Searched");
    assertThat(search.at("/properties/query").asText()).isEqualTo("blue shirt");
    JsonNode list = tree(items.get(2));
    assertThat(list.get("event").asText()).isEqualTo("Product List Viewed");
    assertThat(list.at("/properties/list_id").asText()).isEqualTo("summer");
    assertThat(list.at("/properties/list_name").asText()).isEqualTo("Summer");
    assertThat(list.at("/properties/products").size()).isEqualTo(2);
    JsonNode promotion = tree(items.get(3));
    assertThat(promotion.get("event").asText()).isEqualTo("Promotion Clicked");
    assertThat(promotion.at("/properties/promotion_id").asText()).isEqualTo("P1");
    assertThat(promotion.at("/properties/name").asText()).isEqualTo("Sale");
    assertThat(promotion.at("/properties/creative").asText()).isEqualTo("banner");
    assertThat(promotion.at("/properties/position").asText()).isEqualTo("top");
    assertThat(tree(items.get(4)).get("event").asText()).isEqualTo("Logged In");
    assertThat(tree(items.get(4)).at("/properties/method").asText()).isEqualTo("Google");
    JsonNode payment = tree(items.get(5));
    assertThat(payment.get("event").asText()).isEqualTo("Payment Info Entered");
    assertThat(payment.at("/properties/payment_method").asText()).isEqualTo("card");
    JsonNode shipping = tree(items.get(6));
    assertThat(shipping.get("event").asText()).as("no spec event: kept as is").isEqualTo("add_shipping_info");
    assertThat(shipping.at("/properties/shipping_tier").asText()).isEqualTo("express");
    assertThat(shipping.at("/properties/products/0/product_id").asText()).isEqualTo("A");
    JsonNode added = tree(items.get(7));
    assertThat(added.at("/properties/product_id").asText()).as("first item in the properties").isEqualTo("A");
    assertThat(added.at("/properties/products").size()).as("and all of them when there are more").isEqualTo(2);
  }

  @Test
  void aLineThatIsNotUrlEncodedIsQuarantinedWithItsTextAndTheOthersStand() throws Exception {
    List<IntakeItem> items = parse(GtagHits.batchQuery(GtagHits.CID, "1", 1), "en=ok_one\nen=bad%zz\nen=ok_two");
    assertThat(items).hasSize(3);
    assertThat(items.get(0).valid()).isTrue();
    assertThat(items.get(2).valid()).isTrue();
    IntakeItem bad = items.get(1);
    assertThat(bad.rejectReason()).isEqualTo("invalid_hit");
    assertThat(bad.rejectDetail()).startsWith("line 2 of the body");
    assertThat(bad.visitorKey()).isEqualTo(GtagHits.CID);
    assertThat(tree(bad).at("/gtag/line").asText()).isEqualTo("en=bad%zz");
  }

  @Test
  void aLineWithoutAnEventNameIsQuarantinedLikeATrackCallWithoutOne() throws Exception {
    List<IntakeItem> items = parse(GtagHits.batchQuery(GtagHits.CID, "1", 1), "ep.x=1");
    assertThat(items.get(0).rejectReason()).isEqualTo("missing_event");
  }

  @Test
  void aHitWithoutClientOrUserIdIsCookielessRatherThanLost() throws Exception {
    String query = GtagHits.batchQuery(GtagHits.CID, "1", 1).replace("&cid=" + GtagHits.CID, "");
    IntakeItem item = parse(query, "en=page_view").get(0);
    assertThat(item.valid()).isTrue();
    assertThat(item.visitorKey()).isNull();
    assertThat(tree(item).at("/context/trackside/cookieless").asBoolean()).isTrue();
    assertThat(tree(item).has("anonymousId")).isFalse();
  }

  @Test
  void enhancedConversionDataIsNotKept() throws Exception {
    JsonNode e = tree(parse(GtagHits.batchQuery(GtagHits.CID, "1", 1) + "&em=tv.1~em.abc123", "en=x").get(0));
    assertThat(e.toString()).doesNotContain("abc123");
  }

  @Test
  void withoutPageLoadIdAndSequenceOnlyAnIdenticalHitGetsTheSameMessageId() throws Exception {
    String query = "v=2&tid=G-TEST123&cid=1.2";
    String first = parse(query, "en=a").get(0).messageId();
    assertThat(parse(query, "en=a").get(0).messageId()).isEqualTo(first);
    assertThat(parse(query, "en=b").get(0).messageId()).isNotEqualTo(first);
  }

  @Test
  void wholeRequestsThatCannotBeReadAreRefused() throws Exception {
    assertThatThrownBy(() -> intake.shared("tid=G-TEST123&cid=1")).isInstanceOf(IntakeException.class)
        .extracting(e -> ((IntakeException) e).code()).isEqualTo("unsupported_version");
    assertThatThrownBy(() -> intake.shared("v=1&tid=UA-1-1")).extracting(e -> ((IntakeException) e).code())
        .isEqualTo("unsupported_version");
    assertThatThrownBy(() -> intake.shared("v=2&cid=1")).extracting(e -> ((IntakeException) e).code())
        .isEqualTo("missing_measurement_id");
    assertThatThrownBy(() -> intake.shared(null)).extracting(e -> ((IntakeException) e).code())
        .isEqualTo("unsupported_version");
    assertThatThrownBy(() -> intake.shared("v=2&tid=G-1&dl=%E0%A4%A")).extracting(e -> ((IntakeException) e).code())
        .isEqualTo("invalid_hit");
    GtagIntake small = new GtagIntake(new SegmentIntake(new IntakeLimits(32 * 1024, 1000, 3, 64)));
    GtagIntake.Shared shared = small.shared("v=2&tid=G-1&cid=1");
    assertThatThrownBy(() -> small.events(shared, "en=a\nen=b\nen=c\nen=d".getBytes(StandardCharsets.UTF_8)))
        .extracting(e -> ((IntakeException) e).code()).isEqualTo("batch_too_large");
    assertThatThrownBy(() -> small.events(shared, new byte[1001]))
        .extracting(e -> ((IntakeException) e).code()).isEqualTo("request_too_large");
  }

  @Test
  void anEventOverThePerEventLimitIsQuarantinedAsTooLarge() throws Exception {
    IntakeItem item = parse("v=2&tid=G-1&cid=1", "en=big&ep.blob=" + "x".repeat(40_000)).get(0);
    assertThat(item.rejectReason()).isEqualTo("event_too_large");
  }
}
