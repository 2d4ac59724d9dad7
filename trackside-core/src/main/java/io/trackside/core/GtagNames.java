package io.trackside.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * GA4's recommended event names as the Segment spec's (protocols.md §1, §2.6), and the GA4
 * parameter names the spec names differently. The inverse of the GA4 destination's table, so an
 * event that came in through gtag leaves for GA4 under the name it arrived with.
 */
final class GtagNames {

  private static final Map<String, String> SPEC_EVENTS = Map.ofEntries(
      Map.entry("view_item", "Product Viewed"),
      Map.entry("add_to_cart", "Product Added"),
      Map.entry("remove_from_cart", "Product Removed"),
      Map.entry("add_to_wishlist", "Product Added to Wishlist"),
      Map.entry("select_item", "Product Clicked"),
      Map.entry("view_item_list", "Product List Viewed"),
      Map.entry("view_cart", "Cart Viewed"),
      Map.entry("begin_checkout", "Checkout Started"),
      Map.entry("add_payment_info", "Payment Info Entered"),
      Map.entry("purchase", "Order Completed"),
      Map.entry("refund", "Order Refunded"),
      Map.entry("search", "Products Searched"),
      Map.entry("view_search_results", "Products Searched"),
      Map.entry("view_promotion", "Promotion Viewed"),
      Map.entry("select_promotion", "Promotion Clicked"),
      Map.entry("sign_up", "Signed Up"),
      Map.entry("login", "Logged In"));

  /** Events about one product: the spec puts its fields in the properties, not in a products array. */
  static final Set<String> SINGLE_PRODUCT = Set.of("view_item", "add_to_cart", "remove_from_cart",
      "add_to_wishlist", "select_item");

  /** GA4 parameter → Segment property, for every spec event. */
  private static final Map<String, String> RENAMES = Map.of(
      "transaction_id", "order_id",
      "item_list_id", "list_id",
      "item_list_name", "list_name",
      "payment_type", "payment_method",
      "shipping_tier", "shipping_method",
      "search_term", "query");

  /** The promotion events' own names (Segment's promotion spec). */
  private static final Map<String, String> PROMOTION_RENAMES = Map.of(
      "promotion_name", "name",
      "creative_name", "creative",
      "creative_slot", "position");

  private GtagNames() {
  }

  /** The Segment spec name for a GA4 recommended event, or null for any other name. */
  static String specEvent(String ga4Name) {
    return SPEC_EVENTS.get(ga4Name);
  }

  /**
   * Renames a spec event's GA4 parameters to the spec's property names, in place. {@code value}
   * is an order's {@code revenue} and a refund's {@code total} (the spec's names there). A
   * rename never overwrites a property the hit set under the Segment name itself.
   */
  static void renameProperties(String ga4Name, ObjectNode properties) {
    RENAMES.forEach((from, to) -> rename(properties, from, to));
    if (ga4Name.equals("view_promotion") || ga4Name.equals("select_promotion")) {
      PROMOTION_RENAMES.forEach((from, to) -> rename(properties, from, to));
    }
    if (ga4Name.equals("purchase")) {
      rename(properties, "value", "revenue");
    } else if (ga4Name.equals("refund")) {
      rename(properties, "value", "total");
    }
  }

  private static void rename(ObjectNode properties, String from, String to) {
    if (properties.has(from) && !properties.has(to)) {
      JsonNode value = properties.remove(from);
      properties.set(to, value);
    }
  }
}
