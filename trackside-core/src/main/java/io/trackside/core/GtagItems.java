package io.trackside.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * gtag's items ({@code pr1} … {@code pr200}) as Segment spec products (protocols.md §3.2).
 *
 * <p>An item is a {@code ~}-separated list of tokens, each a two-character key and its value:
 * {@code id123~nmShirt~pr19.99~qt2}. gtag.js doubles a {@code ~} inside a value ({@code ~~})
 * and writes custom item parameters as pairs {@code k<i><name>~v<i><value>}, {@code i} being
 * {@code 0}-{@code 9} then {@code A}, {@code B}, …
 */
final class GtagItems {

  static final int MAX_ITEMS = 200;

  /** gtag key → Segment product field; the GA4 name where Segment's spec has none. */
  private static final Map<String, String> FIELDS = Map.ofEntries(
      Map.entry("id", "product_id"), Map.entry("nm", "name"), Map.entry("br", "brand"),
      Map.entry("ca", "category"), Map.entry("c2", "category2"), Map.entry("c3", "category3"),
      Map.entry("c4", "category4"), Map.entry("c5", "category5"), Map.entry("va", "variant"),
      Map.entry("cp", "coupon"), Map.entry("af", "affiliation"), Map.entry("ln", "item_list_name"),
      Map.entry("li", "item_list_id"), Map.entry("lo", "location_id"), Map.entry("cn", "creative_name"),
      Map.entry("cs", "creative_slot"), Map.entry("pi", "promotion_id"), Map.entry("pn", "promotion_name"));

  /** gtag key → Segment product field, numeric. */
  private static final Map<String, String> NUMBERS = Map.of(
      "pr", "price", "qt", "quantity", "ds", "discount", "lp", "position");

  private GtagItems() {
  }

  /**
   * The products of one hit, ordered by their number ({@code pr2} before {@code pr10}); items
   * without any token are left out.
   */
  static List<ObjectNode> products(Map<String, String> params) {
    TreeMap<Integer, String> byNumber = new TreeMap<>();
    for (Map.Entry<String, String> param : params.entrySet()) {
      int n = itemNumber(param.getKey());
      if (n > 0) {
        byNumber.put(n, param.getValue());
      }
    }
    List<ObjectNode> products = new ArrayList<>(byNumber.size());
    for (String encoded : byNumber.values()) {
      ObjectNode product = product(encoded);
      if (!product.isEmpty()) {
        products.add(product);
      }
    }
    return products;
  }

  /** 1…200 for {@code pr1}…{@code pr200}, else 0. */
  static int itemNumber(String name) {
    if (name.length() < 3 || name.length() > 5 || !name.startsWith("pr")) {
      return 0;
    }
    int n = 0;
    for (int i = 2; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9' || (i == 2 && c == '0')) {
        return 0;
      }
      n = n * 10 + (c - '0');
    }
    return n <= MAX_ITEMS ? n : 0;
  }

  /** One item: known keys as Segment product fields, custom pairs under their own names, other keys as sent. */
  static ObjectNode product(String encoded) {
    ObjectNode product = JsonNodeFactory.instance.objectNode();
    Map<Character, String> customNames = new TreeMap<>();
    Map<Character, String> customValues = new TreeMap<>();
    for (String token : tokens(encoded)) {
      if (token.length() < 2) {
        continue;
      }
      String key = token.substring(0, 2);
      String value = token.substring(2);
      char first = key.charAt(0);
      if ((first == 'k' || first == 'v') && isCustomIndex(key.charAt(1))) {
        (first == 'k' ? customNames : customValues).put(key.charAt(1), value);
      } else if (NUMBERS.containsKey(key)) {
        JsonNode number = GtagValues.number(value);
        if (number != null) {
          product.set(NUMBERS.get(key), number);
        }
      } else if (!value.isEmpty()) {
        product.put(FIELDS.getOrDefault(key, key), value);
      }
    }
    customNames.forEach((index, name) -> {
      String value = customValues.get(index);
      if (!name.isEmpty() && value != null && !product.has(name)) {
        product.put(name, value);
      }
    });
    return product;
  }

  private static boolean isCustomIndex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
  }

  /** Splits at single {@code ~}; {@code ~~} is a literal tilde. */
  static List<String> tokens(String encoded) {
    List<String> tokens = new ArrayList<>();
    StringBuilder token = new StringBuilder();
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '~') {
        if (i + 1 < encoded.length() && encoded.charAt(i + 1) == '~') {
          token.append('~');
          i++;
        } else {
          tokens.add(token.toString());
          token.setLength(0);
        }
      } else {
        token.append(c);
      }
    }
    tokens.add(token.toString());
    return tokens;
  }
}
