package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Meta's {@code custom_data} from the Segment e-commerce spec's properties: value and currency,
 * the products as contents / content_ids, num_items, order_id, search_string. Only these known
 * fields are sent: free-form properties may hold personal data the PII step did not recognise,
 * and Meta does not use them for optimisation.
 *
 * <p>Money is handled as BigDecimal so that 3 × 19.99 is 59.97 and not 59.970000000000006.
 */
final class MetaCustomData {

  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  /**
   * @param body     the custom_data object (empty when the event has none of these fields)
   * @param value    the value sent, or null when the event had none (or had no currency for it)
   * @param currency the currency sent, or null
   */
  record Result(ObjectNode body, BigDecimal value, String currency) {
  }

  /** One line of the products: its id, how many, the unit price (null when not given). */
  record Content(String id, int quantity, BigDecimal itemPrice) {
  }

  private MetaCustomData() {
  }

  static Result of(DeliveryEvent e, String defaultCurrency) {
    ObjectNode props = e.properties();
    ObjectNode custom = JsonNodeFactory.instance.objectNode();
    JsonNode products = props.path("products");
    List<Content> contents = products.isArray() ? contents(products) : singleProduct(props);

    String currency = currency(props.path("currency"));
    if (currency == null) {
      currency = defaultCurrency;
    }
    BigDecimal value = firstNumber(props, "value", "revenue", "total");
    if (value == null) {
      value = sumOfPrices(contents);
    }
    if (value != null && currency != null) {
      custom.put("value", value);
      custom.put("currency", currency);
    } else {
      // Meta only understands a value together with its currency; without one it is left out
      // (and a Purchase is rejected by the caller).
      value = null;
    }

    if (!contents.isEmpty()) {
      ArrayNode array = custom.putArray("contents");
      ArrayNode ids = custom.putArray("content_ids");
      for (Content content : contents) {
        ObjectNode item = array.addObject().put("id", content.id()).put("quantity", content.quantity());
        if (content.itemPrice() != null) {
          item.put("item_price", content.itemPrice());
        }
        ids.add(content.id());
      }
      custom.put("content_type", "product");
    }
    if (products.isArray()) {
      custom.put("num_items", contents.stream().mapToInt(Content::quantity).sum());
    }
    putText(custom, "order_id", firstText(props, "order_id", "orderId"));
    putText(custom, "search_string", firstText(props, "query", "search_string"));
    if (!products.isArray()) {
      putText(custom, "content_name", firstText(props, "name"));
      putText(custom, "content_category", firstText(props, "category"));
    }
    return new Result(custom, value, value == null ? null : currency);
  }

  private static List<Content> contents(JsonNode products) {
    List<Content> contents = new ArrayList<>();
    for (JsonNode product : products) {
      if (product.isObject()) {
        Content content = content(product);
        if (content != null) {
          contents.add(content);
        }
      }
    }
    return contents;
  }

  /** Product Viewed, Product Added: the product is the event's properties themselves. */
  private static List<Content> singleProduct(ObjectNode props) {
    Content content = props.has("product_id") || props.has("sku") ? content(props) : null;
    return content == null ? List.of() : List.of(content);
  }

  private static Content content(JsonNode product) {
    String id = firstText(product, "product_id", "sku", "id");
    if (id == null) {
      return null;
    }
    BigDecimal quantity = number(product.path("quantity"));
    int q = quantity == null || quantity.signum() <= 0 ? 1 : quantity.intValue();
    return new Content(id, q, number(product.path("price")));
  }

  /** price × quantity over the products, when every one has a price. */
  private static BigDecimal sumOfPrices(List<Content> contents) {
    if (contents.isEmpty()) {
      return null;
    }
    BigDecimal sum = BigDecimal.ZERO;
    for (Content content : contents) {
      if (content.itemPrice() == null) {
        return null;
      }
      sum = sum.add(content.itemPrice().multiply(BigDecimal.valueOf(content.quantity())));
    }
    return sum;
  }

  private static String currency(JsonNode node) {
    if (!node.isTextual()) {
      return null;
    }
    String code = node.textValue().strip().toUpperCase(Locale.ROOT);
    return CURRENCY.matcher(code).matches() ? code : null;
  }

  private static BigDecimal firstNumber(JsonNode node, String... names) {
    for (String name : names) {
      BigDecimal number = number(node.path(name));
      if (number != null) {
        return number;
      }
    }
    return null;
  }

  /** A JSON number, or a text holding one ("19.90"), as many shops send prices. */
  static BigDecimal number(JsonNode node) {
    if (node.isNumber()) {
      return node.decimalValue();
    }
    if (node.isTextual()) {
      try {
        return new BigDecimal(node.textValue().strip());
      } catch (NumberFormatException notANumber) {
        return null;
      }
    }
    return null;
  }

  private static String firstText(JsonNode node, String... names) {
    for (String name : names) {
      JsonNode value = node.path(name);
      if ((value.isTextual() || value.isIntegralNumber()) && !value.asText().isBlank()) {
        return value.asText();
      }
    }
    return null;
  }

  private static void putText(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }
}
