package io.trackside.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A {@link Hit} as each capture path puts it on the wire: a Segment API event as a server-side
 * library sends it (with the visitor's address and browser in {@code context}), an event as
 * the browser snippet posts it (trackside.js: {@code context.page}, {@code context.locale}, an
 * anonymousId only with consent, else the cookieless marker), and a gtag.js {@code /g/collect}
 * query (docs/GTAG.md: GA4 event names, {@code pr1…} items, {@code ep.}/{@code epn.} parameters).
 */
final class Wire {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Wire() {
  }

  static ObjectNode segmentEvent(Visitor visitor, Hit hit) {
    ObjectNode event = common(visitor, hit);
    ObjectNode context = (ObjectNode) event.get("context");
    context.put("ip", visitor.ip()).put("userAgent", visitor.userAgent());
    ((ObjectNode) context.get("page")).put("path", hit.path());
    context.putObject("library").put("name", "trackside-java").put("version", "0.1.0");
    if (hit.kind() == Hit.Kind.PAGE) {
      event.put("name", Catalog.title(hit.path()));
      ObjectNode properties = event.putObject("properties");
      properties.put("url", hit.url()).put("path", hit.path()).put("title", Catalog.title(hit.path()));
      if (hit.referrer() != null) {
        properties.put("referrer", hit.referrer());
      }
    }
    return event;
  }

  static ObjectNode snippetEvent(Visitor visitor, Hit hit) {
    ObjectNode event = common(visitor, hit);
    if (hit.kind() == Hit.Kind.PAGE) {
      event.putObject("properties");
    }
    if (visitor.anonymousId() == null) {
      ((ObjectNode) event.get("context")).putObject("trackside").put("cookieless", true);
    }
    return event;
  }

  private static ObjectNode common(Visitor visitor, Hit hit) {
    ObjectNode event = JSON.objectNode();
    event.put("type", switch (hit.kind()) {
      case PAGE -> "page";
      case TRACK -> "track";
      case IDENTIFY -> "identify";
    });
    event.put("messageId", hit.messageId());
    if (visitor.anonymousId() != null) {
      event.put("anonymousId", visitor.anonymousId());
    }
    if (hit.userId() != null) {
      event.put("userId", hit.userId());
    }
    event.put("timestamp", hit.time().toString());
    if (hit.kind() == Hit.Kind.TRACK) {
      event.put("event", hit.event());
      event.set("properties", hit.data().deepCopy());
    } else if (hit.kind() == Hit.Kind.IDENTIFY) {
      event.set("traits", hit.data().deepCopy());
    }
    ObjectNode context = event.putObject("context");
    ObjectNode page = context.putObject("page").put("url", hit.url()).put("title", Catalog.title(hit.path()));
    page.put("referrer", hit.referrer() == null ? "" : hit.referrer());
    context.put("locale", visitor.locale());
    return event;
  }

  /** The query of a gtag.js hit; {@code pageLoad} and {@code sequence} are gtag's {@code _p} and {@code _s}. */
  static String gtagQuery(String measurementId, Visitor visitor, Visit visit, Hit hit, long pageLoad, int sequence) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("v", "2");
    p.put("tid", measurementId);
    p.put("gtm", "45je4bk0v9");
    p.put("_p", Long.toString(pageLoad));
    p.put("gcs", "G111");
    p.put("cid", visitor.anonymousId());
    if (hit.userId() != null) {
      p.put("uid", hit.userId());
    }
    p.put("ul", visitor.locale().toLowerCase(Locale.ROOT));
    p.put("sr", visitor.browser().screen());
    p.put("sid", Long.toString(visit.start().getEpochSecond()));
    p.put("sct", "1");
    p.put("seg", "1");
    p.put("_s", Integer.toString(sequence));
    p.put("dl", hit.url());
    if (hit.referrer() != null) {
      p.put("dr", hit.referrer());
    }
    p.put("dt", Catalog.title(hit.path()));
    JsonNode d = hit.data();
    switch (hit.kind()) {
      case PAGE -> {
        p.put("en", "page_view");
        if (hit == visit.hits().get(0)) {
          p.put("_ss", "1");
        }
      }
      case IDENTIFY -> p.put("en", "login");
      case TRACK -> {
        switch (hit.event()) {
          case "Products Searched" -> {
            p.put("en", "search");
            p.put("ep.search_term", d.path("query").asText());
          }
          case "Product Clicked" -> p.put("en", "select_item");
          case "Product Viewed" -> p.put("en", "view_item");
          case "Product Added" -> p.put("en", "add_to_cart");
          case "Cart Viewed" -> p.put("en", "view_cart");
          case "Checkout Started" -> p.put("en", "begin_checkout");
          case "Order Completed" -> {
            p.put("en", "purchase");
            p.put("ep.transaction_id", d.path("order_id").asText());
            p.put("epn.tax", d.path("tax").asText());
            p.put("epn.shipping", d.path("shipping").asText());
          }
          default -> p.put("en", hit.event());
        }
        if (d.has("currency")) {
          p.put("cu", d.path("currency").asText());
        }
        if (d.has("revenue")) {
          p.put("epn.value", d.path("revenue").asText());
        } else if (d.has("price")) {
          p.put("epn.value", d.path("price").asText());
        }
        if (d.has("product_id")) {
          p.put("pr1", item(d));
        }
        int n = 1;
        for (JsonNode product : d.path("products")) {
          p.put("pr" + n++, item(product));
        }
      }
      default -> throw new IllegalStateException();
    }
    return p.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private static String item(JsonNode product) {
    return "id" + product.path("product_id").asText() + "~nm" + product.path("name").asText().replace("~", "~~")
        + "~ca" + product.path("category").asText() + "~pr" + product.path("price").asText()
        + "~qt" + product.path("quantity").asInt(1);
  }
}
