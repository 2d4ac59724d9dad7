package io.trackside.destination;

import static io.trackside.destination.Ga4Fixtures.deliver;
import static io.trackside.destination.Ga4Fixtures.destination;
import static io.trackside.destination.Ga4Fixtures.event;
import static io.trackside.destination.Ga4Fixtures.params;
import static io.trackside.destination.Ga4Fixtures.parse;
import static io.trackside.destination.Ga4Fixtures.track;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Segment's e-commerce spec events (protocols.md §1) as GA4 recommended events (§2.6). */
class Ga4EcommerceMappingTest {

  private static final String MUG = "{\"product_id\":\"507f1f77\",\"sku\":\"MUG-1\",\"name\":\"Mug\",\"brand\":\"Acme\","
      + "\"category\":\"Kitchen\",\"variant\":\"blue\",\"price\":19.5,\"quantity\":2,\"coupon\":\"MUGS10\","
      + "\"position\":3}";
  private static final String CUP = "{\"sku\":\"CUP-7\",\"name\":\"Cup\",\"price\":\"5.25\"}";

  private static Mapped map(String event, String properties) {
    return destination().map(deliver(track(event, properties)));
  }

  /** Compact JSON text: compared as text, since a parsed 2 is an int node and a mapped 2 a long one. */
  private static String json(String text) {
    return parse(text).toString();
  }

  @Test
  void productsSearchedIsSearch() {
    Mapped mapped = map("Products Searched", "{\"query\":\"blue mugs\"}");
    assertThat(event(mapped).get("name").asText()).isEqualTo("search");
    assertThat(params(mapped).get("search_term").asText()).isEqualTo("blue mugs");
    assertThat(params(mapped).has("query")).isFalse();
    assertThat(params(mapped).has("items")).isFalse();
  }

  @Test
  void productListViewedIsViewItemListWithTheListAndItsItems() {
    Mapped mapped = map("Product List Viewed", "{\"list_id\":\"deals-1\",\"category\":\"Deals\",\"products\":["
        + MUG + "," + CUP + "]}");
    JsonNode params = params(mapped);
    assertThat(event(mapped).get("name").asText()).isEqualTo("view_item_list");
    assertThat(params.get("item_list_id").asText()).isEqualTo("deals-1");
    assertThat(params.get("item_list_name").asText()).isEqualTo("Deals");
    assertThat(params.get("items")).hasSize(2);
    assertThat(params.get("items").get(0)).hasToString(json("{\"item_id\":\"507f1f77\",\"item_name\":\"Mug\","
        + "\"item_brand\":\"Acme\",\"item_category\":\"Kitchen\",\"item_variant\":\"blue\",\"coupon\":\"MUGS10\","
        + "\"price\":19.5,\"quantity\":2,\"index\":3}"));
    assertThat(params.get("items").get(1)).hasToString(json("{\"item_id\":\"CUP-7\",\"item_name\":\"Cup\",\"price\":5.25}"));
    // Value of the priced items (19.5 × 2 + 5.25 × 1) with the default currency, as GA4 needs one with a value.
    assertThat(params.get("value").asDouble()).isEqualTo(44.25);
    assertThat(params.get("currency").asText()).isEqualTo("USD");
    assertThat(params.has("category")).isFalse();
  }

  @Test
  void productClickedIsSelectItemFromTheEventsOwnProperties() {
    Mapped mapped = map("Product Clicked", "{\"product_id\":\"p1\",\"name\":\"Mug\",\"category\":\"Kitchen\","
        + "\"position\":4,\"url\":\"https://shop.example/p/mug\"}");
    assertThat(event(mapped).get("name").asText()).isEqualTo("select_item");
    assertThat(params(mapped).get("items")).hasToString(json("[{\"item_id\":\"p1\",\"item_name\":\"Mug\","
        + "\"item_category\":\"Kitchen\",\"index\":4}]"));
    assertThat(params(mapped).get("url").asText()).isEqualTo("https://shop.example/p/mug"); // not a product field
    assertThat(params(mapped).has("value")).isFalse();
    assertThat(params(mapped).has("currency")).isFalse();
  }

  @Test
  void productViewedIsViewItemWithValueAndCurrency() {
    Mapped mapped = map("Product Viewed", "{\"product_id\":\"p1\",\"sku\":\"MUG-1\",\"name\":\"Mug\",\"price\":18.99,"
        + "\"quantity\":1,\"currency\":\"eur\",\"image_url\":\"https://cdn.example/mug.jpg\"}");
    JsonNode params = params(mapped);
    assertThat(event(mapped).get("name").asText()).isEqualTo("view_item");
    assertThat(params.get("items").get(0).get("item_id").asText()).isEqualTo("p1"); // product_id before sku
    assertThat(params.get("value").asDouble()).isEqualTo(18.99);
    assertThat(params.get("currency").asText()).isEqualTo("EUR");
    assertThat(params.get("image_url").asText()).isEqualTo("https://cdn.example/mug.jpg");
    assertThat(params.has("sku")).isFalse();
  }

  @Test
  void productAddedAndRemovedAreCartEventsWithPriceTimesQuantity() {
    Mapped added = map("Product Added", "{\"cart_id\":\"c-9\",\"sku\":\"MUG-1\",\"price\":\"19.5\",\"quantity\":2}");
    assertThat(event(added).get("name").asText()).isEqualTo("add_to_cart");
    assertThat(params(added).get("value").asDouble()).isEqualTo(39.0);
    assertThat(params(added).get("currency").asText()).isEqualTo("USD");
    assertThat(params(added).get("cart_id").asText()).isEqualTo("c-9");
    assertThat(params(added).get("items").get(0).get("item_id").asText()).isEqualTo("MUG-1");

    Mapped removed = map("Product Removed", "{\"product_id\":\"p1\",\"name\":\"Mug\"}");
    assertThat(event(removed).get("name").asText()).isEqualTo("remove_from_cart");
    assertThat(params(removed).get("items")).hasSize(1);
  }

  @Test
  void cartViewedIsViewCart() {
    Mapped mapped = map("Cart Viewed", "{\"cart_id\":\"c-9\",\"products\":[" + MUG + "," + CUP + "]}");
    assertThat(event(mapped).get("name").asText()).isEqualTo("view_cart");
    assertThat(params(mapped).get("items")).hasSize(2);
    assertThat(params(mapped).get("value").asDouble()).isEqualTo(44.25);
  }

  @Test
  void checkoutStartedIsBeginCheckoutWithRevenueAsValue() {
    Mapped mapped = map("Checkout Started", "{\"order_id\":\"o-1\",\"value\":30,\"revenue\":25.0,\"currency\":\"GBP\","
        + "\"coupon\":\"SPRING\",\"products\":[" + CUP + "]}");
    JsonNode params = params(mapped);
    assertThat(event(mapped).get("name").asText()).isEqualTo("begin_checkout");
    assertThat(params.get("value").asDouble()).isEqualTo(25.0); // revenue: without shipping and tax, as GA4 wants
    assertThat(params.get("currency").asText()).isEqualTo("GBP");
    assertThat(params.get("coupon").asText()).isEqualTo("SPRING");
    assertThat(params.has("transaction_id")).isFalse();
    assertThat(params.get("order_id").asText()).isEqualTo("o-1");
  }

  @Test
  void checkoutStepCompletedIsShippingOrPaymentInfoByWhatItCarries() {
    Mapped shipping = map("Checkout Step Completed", "{\"checkout_id\":\"k1\",\"step\":2,\"shipping_method\":\"DHL\"}");
    assertThat(event(shipping).get("name").asText()).isEqualTo("add_shipping_info");
    assertThat(params(shipping).get("shipping_tier").asText()).isEqualTo("DHL");
    assertThat(params(shipping).get("step").asInt()).isEqualTo(2);

    Mapped payment = map("Checkout Step Completed", "{\"step\":3,\"payment_method\":\"card\"}");
    assertThat(event(payment).get("name").asText()).isEqualTo("add_payment_info");
    assertThat(params(payment).get("payment_type").asText()).isEqualTo("card");

    Mapped plain = map("Checkout Step Completed", "{\"step\":1}");
    assertThat(event(plain).get("name").asText()).isEqualTo("checkout_step_completed");
  }

  @Test
  void paymentInfoEnteredIsAddPaymentInfo() {
    Mapped mapped = map("Payment Info Entered", "{\"checkout_id\":\"k1\",\"payment_method\":\"paypal\"}");
    assertThat(event(mapped).get("name").asText()).isEqualTo("add_payment_info");
    assertThat(params(mapped).get("payment_type").asText()).isEqualTo("paypal");
  }

  @Test
  void orderCompletedIsPurchase() {
    Mapped mapped = map("Order Completed", "{\"checkout_id\":\"k1\",\"order_id\":\"T-981\",\"affiliation\":\"Web\","
        + "\"total\":50.1,\"subtotal\":39.0,\"revenue\":39.0,\"shipping\":4.9,\"tax\":6.2,\"discount\":2.5,"
        + "\"coupon\":\"MUGS10\",\"currency\":\"EUR\",\"products\":[" + MUG + "]}");
    JsonNode params = params(mapped);
    assertThat(event(mapped).get("name").asText()).isEqualTo("purchase");
    assertThat(params.get("transaction_id").asText()).isEqualTo("T-981");
    assertThat(params.get("value").asDouble()).isEqualTo(39.0);
    assertThat(params.get("currency").asText()).isEqualTo("EUR");
    assertThat(params.get("shipping").asDouble()).isEqualTo(4.9);
    assertThat(params.get("tax").asDouble()).isEqualTo(6.2);
    assertThat(params.get("coupon").asText()).isEqualTo("MUGS10");
    assertThat(params.get("affiliation").asText()).isEqualTo("Web");
    assertThat(params.get("items")).hasSize(1);
    assertThat(params.has("total")).isFalse();
    assertThat(params.has("subtotal")).isFalse();
    assertThat(params.has("order_id")).isFalse();
    assertThat(params.get("checkout_id").asText()).isEqualTo("k1");
  }

  @Test
  void aPurchaseWithoutOrderIdIsRejectedNotSentToBeDropped() {
    Mapped mapped = map("Order Completed", "{\"revenue\":10,\"currency\":\"EUR\"}");
    assertThat(mapped).isInstanceOf(Mapped.Reject.class);
    assertThat(((Mapped.Reject) mapped).reason()).startsWith("ga4_invalid: VALUE_REQUIRED events[0].params.transaction_id");
  }

  @Test
  void orderRefundedIsRefund() {
    Mapped mapped = map("Order Refunded", "{\"order_id\":\"T-981\",\"total\":50.1,\"currency\":\"EUR\"}");
    assertThat(event(mapped).get("name").asText()).isEqualTo("refund");
    assertThat(params(mapped).get("transaction_id").asText()).isEqualTo("T-981");
    assertThat(params(mapped).get("value").asDouble()).isEqualTo(50.1);
  }

  @Test
  void wishlistAndPromotions() {
    Mapped wish = map("Product Added to Wishlist", "{\"wishlist_id\":\"w1\",\"product_id\":\"p1\",\"name\":\"Mug\"}");
    assertThat(event(wish).get("name").asText()).isEqualTo("add_to_wishlist");
    assertThat(params(wish).get("items").get(0).get("item_id").asText()).isEqualTo("p1");

    String promotion = "{\"promotion_id\":\"promo_1\",\"creative\":\"top_banner_2\",\"name\":\"75% store-wide sale\","
        + "\"position\":\"home_banner_top\"}";
    for (String[] pair : new String[][] {{"Promotion Viewed", "view_promotion"}, {"Promotion Clicked", "select_promotion"}}) {
      Mapped mapped = map(pair[0], promotion);
      JsonNode params = params(mapped);
      assertThat(event(mapped).get("name").asText()).isEqualTo(pair[1]);
      assertThat(params.get("promotion_id").asText()).isEqualTo("promo_1");
      assertThat(params.get("promotion_name").asText()).isEqualTo("75% store-wide sale");
      assertThat(params.get("creative_name").asText()).isEqualTo("top_banner_2");
      assertThat(params.get("creative_slot").asText()).isEqualTo("home_banner_top");
      assertThat(params.has("items")).isFalse(); // a promotion's name is not a product's
    }
  }

  @Test
  void signedUpAndLoggedIn() {
    Mapped signUp = map("Signed Up", "{\"type\":\"organic\"}");
    assertThat(event(signUp).get("name").asText()).isEqualTo("sign_up");
    assertThat(params(signUp).get("method").asText()).isEqualTo("organic");
    Mapped login = map("Logged In", "{\"method\":\"google\"}");
    assertThat(event(login).get("name").asText()).isEqualTo("login");
    assertThat(params(login).get("method").asText()).isEqualTo("google");
  }

  @Test
  void specNamesAreRecognisedInOtherSpellings() {
    assertThat(event(map("order_completed", "{\"order_id\":\"o\"}")).get("name").asText()).isEqualTo("purchase");
    assertThat(event(map("productViewed", "{\"sku\":\"s\"}")).get("name").asText()).isEqualTo("view_item");
  }

  @Test
  void configuredNamesWinAndGetTheParametersOfTheirGa4Event() {
    Ga4Destination ga4 = destination(Map.of("Bought", "purchase", "Order Completed", "order_done"));
    Mapped bought = ga4.map(deliver(track("Bought", "{\"order_id\":\"o-7\",\"products\":[" + CUP + "]}")));
    assertThat(event(bought).get("name").asText()).isEqualTo("purchase");
    assertThat(params(bought).get("transaction_id").asText()).isEqualTo("o-7");
    assertThat(params(bought).get("value").asDouble()).isEqualTo(5.25);

    Mapped renamed = ga4.map(deliver(track("Order Completed", "{\"order_id\":\"o-8\"}")));
    assertThat(event(renamed).get("name").asText()).isEqualTo("order_done");
    assertThat(params(renamed).get("order_id").asText()).isEqualTo("o-8");
    assertThat(params(renamed).has("transaction_id")).isFalse();
  }

  @Test
  void itemsWithoutIdOrNameAreDroppedAndItemLimitsHold() {
    StringBuilder products = new StringBuilder("[{\"price\":3},");
    for (int i = 0; i < 250; i++) {
      products.append("{\"sku\":\"s").append(i).append("\",\"price\":1}").append(i < 249 ? "," : "]");
    }
    Mapped many = map("Cart Viewed", "{\"products\":" + products + "}");
    assertThat(params(many).get("items")).hasSize(200);
    assertThat(params(many).get("items").get(0).get("item_id").asText()).isEqualTo("s0");
    assertThat(params(many).get("value").asDouble()).isEqualTo(200.0);

    StringBuilder extras = new StringBuilder("{\"sku\":\"x\",\"nested\":{\"a\":1}");
    for (int i = 0; i < 15; i++) {
      extras.append(",\"extra").append(i).append("\":\"").append("v".repeat(150)).append('"');
    }
    Mapped custom = map("Cart Viewed", "{\"products\":[" + extras + "}]}");
    JsonNode item = params(custom).get("items").get(0);
    assertThat(item.size()).isEqualTo(11); // item_id and 10 custom parameters
    assertThat(item.get("extra0").asText()).hasSize(100);
    assertThat(item.has("nested")).isFalse();
  }

  @Test
  void aCurrencyGa4CannotReadIsRejectedNotGuessed() {
    Mapped mapped = map("Order Completed", "{\"order_id\":\"o\",\"revenue\":10,\"currency\":\"€\"}");
    assertThat(mapped).isInstanceOf(Mapped.Reject.class);
    assertThat(((Mapped.Reject) mapped).reason()).contains("VALUE_INVALID events[0].params.currency");
  }

  @Test
  void theDefaultCurrencyIsConfigurable() {
    Mapped mapped = destination("currency", "chf").map(deliver(track("Product Added", "{\"sku\":\"s\",\"price\":2}")));
    assertThat(params(mapped).get("currency").asText()).isEqualTo("CHF");
  }
}
