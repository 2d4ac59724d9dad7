package io.trackside.example.shop;

import io.trackside.sdk.IdentifyMessage;
import io.trackside.sdk.MessageBuilder;
import io.trackside.sdk.TrackMessage;
import io.trackside.sdk.Trackside;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shop's server-side e-commerce events (Segment's e-commerce spec names). Sent from the
 * server because they must not be lost to an ad blocker, a closed tab or JavaScript being off —
 * an order above all.
 *
 * <p>Personal data: the e-mail address goes only into the traits of an identify (Trackside
 * hashes it by default, {@code privacy.pii.default: hash}); never into properties. The name is
 * not sent at all: no report needs it.
 */
final class Tracking {
  private final Trackside trackside;

  Tracking(Trackside trackside) {
    this.trackside = trackside;
  }

  void productViewed(Visitor visitor, Product product) {
    Map<String, Object> p = product(product);
    p.put("currency", Catalog.CURRENCY);
    trackside.enqueue(about(visitor, TrackMessage.builder("Product Viewed").properties(p)));
  }

  void productAdded(Visitor visitor, Product product, int quantity) {
    Map<String, Object> p = product(product);
    p.put("quantity", quantity);
    p.put("currency", Catalog.CURRENCY);
    trackside.enqueue(about(visitor, TrackMessage.builder("Product Added").properties(p)));
  }

  void orderCompleted(Visitor visitor, Order order) {
    // The e-mail is the only thing a guest checkout knows about the person; it links their
    // anonymous id to it in the traits. No userId: a shop without accounts has none to give.
    trackside.enqueue(about(visitor, IdentifyMessage.builder().traits(Map.of("email", order.email()))));
    List<Map<String, Object>> products = new ArrayList<>();
    for (CartLine line : order.lines()) {
      Map<String, Object> p = product(line.product());
      p.put("quantity", line.quantity());
      products.add(p);
    }
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("order_id", order.id());
    properties.put("revenue", order.total());
    properties.put("currency", Catalog.CURRENCY);
    properties.put("products", products);
    // The order id as messageId: a retried request cannot make a second order event.
    trackside.enqueue(about(visitor, TrackMessage.builder("Order Completed").messageId(order.id()).properties(properties)));
  }

  private static Map<String, Object> product(Product product) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("product_id", product.id());
    p.put("name", product.name());
    p.put("category", product.category());
    p.put("price", product.price());
    return p;
  }

  /** Ours, not the server's: the visitor's address and browser, as the SDK's README asks. */
  private static <B extends MessageBuilder<B>> B about(Visitor visitor, B builder) {
    return builder.anonymousId(visitor.anonymousId())
        .context(Map.of("ip", visitor.ip(), "userAgent", visitor.userAgent()));
  }
}
