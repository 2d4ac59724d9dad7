package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Segment's e-commerce (and sign-up/login) spec events as GA4 recommended events (protocols.md
 * §1, §2.6). The parameters are built by the GA4 name, not the Segment name, so an operator's
 * {@code eventNames} entry {@code "Bought": purchase} gets items, value and transaction_id too.
 */
final class Ga4Ecommerce {

  /** Segment spec names, compared without case, spaces or underscores ("order_completed" too). */
  private static final Map<String, String> SPEC = Map.ofEntries(
      Map.entry("productssearched", "search"),
      Map.entry("productlistviewed", "view_item_list"),
      Map.entry("productclicked", "select_item"),
      Map.entry("productviewed", "view_item"),
      Map.entry("productadded", "add_to_cart"),
      Map.entry("productremoved", "remove_from_cart"),
      Map.entry("cartviewed", "view_cart"),
      Map.entry("checkoutstarted", "begin_checkout"),
      Map.entry("paymentinfoentered", "add_payment_info"),
      Map.entry("ordercompleted", "purchase"),
      Map.entry("orderrefunded", "refund"),
      Map.entry("productaddedtowishlist", "add_to_wishlist"),
      Map.entry("promotionviewed", "view_promotion"),
      Map.entry("promotionclicked", "select_promotion"),
      Map.entry("signedup", "sign_up"),
      Map.entry("loggedin", "login"));

  static final Set<String> ITEM_EVENTS = Set.of("view_item_list", "select_item", "view_item", "add_to_cart",
      "remove_from_cart", "view_cart", "begin_checkout", "add_payment_info", "add_shipping_info", "purchase",
      "refund", "add_to_wishlist", "view_promotion", "select_promotion");

  /** GA4 events about one product, whose Segment properties are that product (no products array). */
  private static final Set<String> SINGLE_PRODUCT = Set.of("select_item", "view_item", "add_to_cart",
      "remove_from_cart", "add_to_wishlist");

  /** Segment product fields → GA4 item fields. */
  private static final List<String[]> ITEM_FIELDS = List.of(
      new String[] {"name", "item_name"}, new String[] {"brand", "item_brand"},
      new String[] {"category", "item_category"}, new String[] {"variant", "item_variant"},
      new String[] {"coupon", "coupon"}, new String[] {"affiliation", "affiliation"});
  private static final List<String> ITEM_NUMBERS = List.of("price", "quantity", "discount", "position");
  private static final Set<String> PRODUCT_KEYS = Set.of("product_id", "sku", "name", "brand", "category",
      "variant", "price", "quantity", "coupon", "position", "affiliation", "discount");

  private Ga4Ecommerce() {
  }

  /**
   * The GA4 recommended event for a Segment spec event, or null for any other name. "Checkout
   * Step Completed" is add_shipping_info when it carries a shipping_method, else
   * add_payment_info when it carries a payment_method (GA4 has no generic checkout step).
   */
  static String specName(DeliveryEvent e) {
    if (e.event() == null) {
      return null;
    }
    String key = e.event().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (key.equals("checkoutstepcompleted")) {
      return e.property("shipping_method") != null ? "add_shipping_info"
          : e.property("payment_method") != null ? "add_payment_info" : null;
    }
    return SPEC.get(key);
  }

  /**
   * Puts the parameters of a GA4 recommended event into {@code params} and returns the property
   * names it used up (the rest become custom parameters); nothing for other GA4 names.
   *
   * @param defaultCurrency put as currency when the event has a value or priced items and no
   *                        currency of its own (GA4 cannot count revenue without one)
   */
  static Set<String> put(String ga4Name, DeliveryEvent e, ObjectNode params, String defaultCurrency) {
    Set<String> used = new HashSet<>();
    JsonNode p = e.properties();
    switch (ga4Name) {
      case "search" -> text(params, "search_term", p, used, "query");
      case "sign_up", "login" -> text(params, "method", p, used, "method", "type");
      default -> {
        if (ITEM_EVENTS.contains(ga4Name)) {
          commerce(ga4Name, e, params, used, defaultCurrency);
        }
      }
    }
    return used;
  }

  private static void commerce(String ga4Name, DeliveryEvent e, ObjectNode params, Set<String> used,
                               String defaultCurrency) {
    JsonNode p = e.properties();
    if (ga4Name.equals("purchase") || ga4Name.equals("refund")) {
      text(params, "transaction_id", p, used, "order_id");
    }
    if (ga4Name.equals("view_item_list")) {
      text(params, "item_list_id", p, used, "list_id");
      text(params, "item_list_name", p, used, "list_name", "category");
    }
    if (ga4Name.equals("view_promotion") || ga4Name.equals("select_promotion")) {
      text(params, "promotion_id", p, used, "promotion_id");
      text(params, "promotion_name", p, used, "name");
      text(params, "creative_name", p, used, "creative");
      text(params, "creative_slot", p, used, "position");
    }
    text(params, "shipping_tier", p, used, "shipping_method");
    text(params, "payment_type", p, used, "payment_method");
    text(params, "coupon", p, used, "coupon");
    text(params, "affiliation", p, used, "affiliation");
    number(params, "shipping", p, used, "shipping");
    number(params, "tax", p, used, "tax");

    ArrayNode items = items(ga4Name, p, used);
    BigDecimal value = null;
    for (String field : List.of("revenue", "value", "total")) {
      if (value == null) {
        value = Ga4Params.number(p.get(field));
      }
    }
    used.addAll(List.of("revenue", "value", "total", "subtotal"));
    if (value == null && items != null) {
      value = itemsValue(items);
    }
    if (value != null) {
      params.set("value", Ga4Params.numberNode(value));
    }
    JsonNode currency = p.get("currency");
    used.add("currency");
    if (currency != null && currency.isTextual() && !currency.textValue().isBlank()) {
      // Upper-cased but otherwise as sent: a wrong one ("€") is refused by validation, not replaced by a guess.
      params.put("currency", currency.textValue().strip().toUpperCase(Locale.ROOT));
    } else if (value != null || (items != null && itemsValue(items) != null)) {
      params.put("currency", defaultCurrency);
    }
    if (items != null) {
      params.set("items", items);
    }
  }

  /** Items from the products array, or from the properties of a single-product event; null when none. */
  private static ArrayNode items(String ga4Name, JsonNode p, Set<String> used) {
    ArrayNode items = JsonNodeFactory.instance.arrayNode();
    JsonNode products = p.get("products");
    if (products != null && products.isArray()) {
      used.add("products");
      for (JsonNode product : products) {
        if (items.size() == Ga4Validation.MAX_ITEMS) {
          break;
        }
        ObjectNode item = item(product, true);
        if (item != null) {
          items.add(item);
        }
      }
    } else if (p.has("product_id") || p.has("sku") || (SINGLE_PRODUCT.contains(ga4Name) && p.has("name"))) {
      ObjectNode item = item(p, false);
      if (item != null) {
        items.add(item);
        used.addAll(PRODUCT_KEYS);
      }
    }
    return items.isEmpty() ? null : items;
  }

  /**
   * One GA4 item; null when it has neither an id nor a name (GA4 requires one of them, and such
   * an item is dropped rather than the whole event).
   *
   * @param withExtras whether the product's other scalar fields become custom item parameters
   *                   (for products in an array; a single-product event's other properties are
   *                   the event's parameters instead)
   */
  private static ObjectNode item(JsonNode product, boolean withExtras) {
    if (!product.isObject()) {
      return null;
    }
    ObjectNode item = JsonNodeFactory.instance.objectNode();
    String id = firstText(product, "product_id", "sku", "id");
    if (id != null) {
      item.put("item_id", Ga4Params.truncate(id, Ga4Validation.MAX_PARAM_VALUE));
    }
    for (String[] field : ITEM_FIELDS) {
      JsonNode value = Ga4Params.scalar(product.get(field[0]), Ga4Validation.MAX_PARAM_VALUE);
      if (value != null) {
        item.set(field[1], value);
      }
    }
    if (!item.has("item_id") && !item.has("item_name")) {
      return null;
    }
    for (String field : ITEM_NUMBERS) {
      BigDecimal n = Ga4Params.number(product.get(field));
      if (n != null) {
        item.set(field.equals("position") ? "index" : field, Ga4Params.numberNode(n));
      }
    }
    if (withExtras) {
      int custom = 0;
      for (Map.Entry<String, JsonNode> extra : product.properties()) {
        if (custom == Ga4Validation.MAX_CUSTOM_ITEM_PARAMS) {
          break;
        }
        String name = PRODUCT_KEYS.contains(extra.getKey()) || extra.getKey().equals("id") ? null
            : Ga4Names.paramName(extra.getKey());
        JsonNode value = Ga4Params.scalar(extra.getValue(), Ga4Validation.MAX_PARAM_VALUE);
        if (name != null && value != null && !item.has(name) && !Ga4Validation.ITEM_FIELDS.contains(name)) {
          item.set(name, value);
          custom++;
        }
      }
    }
    return item;
  }

  /** Sum of price × quantity (quantity 1 when absent) over the priced items; null when none has a price. */
  private static BigDecimal itemsValue(ArrayNode items) {
    BigDecimal sum = null;
    for (JsonNode item : items) {
      BigDecimal price = Ga4Params.number(item.get("price"));
      if (price != null) {
        BigDecimal quantity = Ga4Params.number(item.get("quantity"));
        sum = (sum == null ? BigDecimal.ZERO : sum).add(price.multiply(quantity == null ? BigDecimal.ONE : quantity));
      }
    }
    return sum;
  }

  private static void text(ObjectNode params, String param, JsonNode p, Set<String> used, String... fields) {
    for (String field : fields) {
      used.add(field);
    }
    String value = firstText(p, fields);
    if (value != null && !params.has(param)) {
      params.put(param, Ga4Params.truncate(value, Ga4Validation.MAX_PARAM_VALUE));
    }
  }

  private static void number(ObjectNode params, String param, JsonNode p, Set<String> used, String field) {
    used.add(field);
    BigDecimal n = Ga4Params.number(p.get(field));
    if (n != null) {
      params.set(param, Ga4Params.numberNode(n));
    }
  }

  private static String firstText(JsonNode node, String... fields) {
    for (String field : fields) {
      JsonNode value = node.get(field);
      if (value != null && !value.isNull() && !value.isContainerNode() && !value.asText().isBlank()) {
        return value.asText().strip();
      }
    }
    return null;
  }
}
