package io.trackside.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * Plans what one visitor does in one visit: lands where their channel brings them, browses,
 * searches (clicking a result or not), views products, adds to the cart, abandons or checks out
 * and orders. The probabilities are a small shop's (a few percent of visits order); returning
 * customers and e-mail readers buy more often. Bots crawl pages and nothing else.
 *
 * <p>Everything comes from the {@link Random} passed in, so a seed gives the same visits.
 */
final class VisitPlanner {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Random random;
  private final List<Hit> hits = new ArrayList<>();
  private Visitor visitor;
  private Instant time;
  private String currentUrl;
  private String userId;
  private final List<Catalog.Product> cart = new ArrayList<>();

  VisitPlanner(Random random) {
    this.random = random;
  }

  /**
   * @param loggedIn the visitor is logged in from the start (a customer's remembered session)
   * @param login    the visitor logs in during this visit (identify)
   */
  Visit plan(Visitor who, Acquisition acquisition, Instant start, boolean loggedIn, boolean login) {
    hits.clear();
    cart.clear();
    visitor = who;
    time = start;
    currentUrl = null;
    userId = loggedIn && who.customer() != null ? who.customer().userId() : null;
    if (who.bot()) {
      crawl(acquisition);
      return new Visit(who, acquisition, List.copyOf(hits));
    }
    String landing = acquisition.landingPath(random);
    page(landing, acquisition.query(), acquisition.referrer());
    if (login && userId == null && who.customer() != null) {
      logIn();
    }
    browse(landing, acquisition);
    return new Visit(who, acquisition, List.copyOf(hits));
  }

  private void browse(String landing, Acquisition acquisition) {
    boolean keen = visitor.customer() != null || acquisition.intent().equals("email");
    Catalog.Product product = productAt(landing);
    if (landing.startsWith("/blog/")) {
      if (random.nextInt(100) >= 45) {
        return; // read the article and left: a bounce
      }
      product = Catalog.PRODUCTS.get(random.nextInt(Catalog.PRODUCTS.size()));
      clickThrough(product);
    } else if (product == null) {
      // Home or a category page: search, open a product, or leave.
      int roll = random.nextInt(100);
      if (roll < 35) {
        product = search();
      } else if (roll < 75) {
        String category = landing.startsWith("/c/") ? landing.substring(3)
            : Catalog.CATEGORIES.get(random.nextInt(Catalog.CATEGORIES.size()));
        if (!landing.startsWith("/c/")) {
          think(5, 30);
          page("/c/" + category, "", null);
        }
        product = inCategory(category);
        clickThrough(product);
      } else {
        return;
      }
    } else {
      track("Product Viewed", productProperties(product, null));
    }
    if (product == null) {
      return;
    }
    // On a product page: add it, look at another one, or leave.
    for (int looked = 0; looked < 3; looked++) {
      int roll = random.nextInt(100);
      if (roll < (keen ? 38 : 24)) {
        think(10, 60);
        addToCart(product);
        if (random.nextInt(100) < 30) {
          product = Catalog.PRODUCTS.get(random.nextInt(Catalog.PRODUCTS.size()));
          think(8, 40);
          clickThrough(product);
          continue;
        }
        break;
      } else if (roll < 60) {
        if (random.nextBoolean()) {
          product = search(); // viewed already when a result was clicked
          if (product == null) {
            return;
          }
        } else {
          product = Catalog.PRODUCTS.get(random.nextInt(Catalog.PRODUCTS.size()));
          clickThrough(product);
        }
      } else {
        return;
      }
    }
    if (cart.isEmpty()) {
      return;
    }
    if (random.nextInt(100) < 30) {
      return; // added and left without looking at the cart: an abandoned cart
    }
    think(5, 40);
    page("/cart", "", null);
    track("Cart Viewed", cartProperties());
    if (random.nextInt(100) >= (keen ? 70 : 50)) {
      return; // abandoned at the cart
    }
    if (visitor.customer() != null && userId == null) {
      logIn();
    }
    think(5, 25);
    page("/checkout", "", null);
    track("Checkout Started", cartProperties());
    if (random.nextInt(100) >= 72) {
      return; // abandoned at checkout (shipping costs, payment failed, …)
    }
    think(40, 180);
    ObjectNode order = cartProperties();
    order.put("order_id", "ORD-" + Long.toString(Math.abs(random.nextLong()) % 100_000_000L, 36).toUpperCase(Locale.ROOT));
    double revenue = order.get("revenue").asDouble();
    order.put("shipping", revenue >= 100 ? 0.0 : 4.90);
    order.put("tax", round(revenue * 0.19 / 1.19));
    track("Order Completed", order);
    page("/checkout/thank-you", "", null);
  }

  private Catalog.Product search() {
    Catalog.Search search = Catalog.SEARCHES.get(random.nextInt(Catalog.SEARCHES.size()));
    think(4, 20);
    page("/search", "q=" + search.query().replace(' ', '+'), null);
    ObjectNode properties = JSON.objectNode().put("query", search.query());
    track("Products Searched", properties);
    if (search.finds() == null || random.nextInt(100) < 35) {
      return null; // nothing found, or nothing tempting: no click
    }
    think(3, 15);
    track("Product Clicked", productProperties(search.finds(), null));
    think(1, 3);
    page(search.finds().path(), "", null);
    track("Product Viewed", productProperties(search.finds(), null));
    return search.finds();
  }

  private void clickThrough(Catalog.Product product) {
    think(6, 45);
    page(product.path(), "", null);
    track("Product Viewed", productProperties(product, null));
  }

  private void addToCart(Catalog.Product product) {
    int quantity = random.nextInt(100) < 85 ? 1 : 2;
    for (int i = 0; i < quantity; i++) {
      cart.add(product);
    }
    track("Product Added", productProperties(product, quantity));
  }

  private void logIn() {
    think(10, 40);
    page("/account", "", null);
    Visitor.Customer customer = visitor.customer();
    userId = customer.userId();
    ObjectNode traits = JSON.objectNode().put("email", customer.email()).put("name", customer.name());
    add(Hit.Kind.IDENTIFY, null, traits);
  }

  /** A crawler fetches pages only. Most at a crawler's pace; the scraper fast enough for the pace rule. */
  private void crawl(Acquisition acquisition) {
    boolean scraper = visitor.userAgent().startsWith("python");
    int pages = scraper ? 14 + random.nextInt(8) : 4 + random.nextInt(10);
    for (int i = 0; i < pages; i++) {
      String path = switch (random.nextInt(4)) {
        case 0 -> "/c/" + Catalog.CATEGORIES.get(random.nextInt(Catalog.CATEGORIES.size()));
        case 1 -> Catalog.BLOG_POSTS.get(random.nextInt(Catalog.BLOG_POSTS.size()));
        default -> Catalog.PRODUCTS.get(random.nextInt(Catalog.PRODUCTS.size())).path();
      };
      page(path, "", i == 0 ? acquisition.referrer() : null);
      time = time.plusMillis(scraper ? 200 + random.nextInt(400) : 2_000 + random.nextInt(20_000));
    }
  }

  private Catalog.Product inCategory(String category) {
    List<Catalog.Product> in = Catalog.PRODUCTS.stream().filter(p -> p.category().equals(category)).toList();
    return in.get(random.nextInt(in.size()));
  }

  private static Catalog.Product productAt(String path) {
    return Catalog.PRODUCTS.stream().filter(p -> p.path().equals(path)).findFirst().orElse(null);
  }

  private static ObjectNode productProperties(Catalog.Product p, Integer quantity) {
    ObjectNode properties = JSON.objectNode().put("product_id", p.id()).put("sku", p.id()).put("name", p.name())
        .put("category", p.category()).put("price", p.price()).put("currency", "EUR");
    if (quantity != null) {
      properties.put("quantity", quantity);
    }
    return properties;
  }

  private ObjectNode cartProperties() {
    ObjectNode properties = JSON.objectNode();
    ArrayNode products = properties.putArray("products");
    double total = 0;
    for (Catalog.Product p : cart.stream().distinct().toList()) {
      long quantity = cart.stream().filter(p::equals).count();
      ObjectNode item = productProperties(p, (int) quantity);
      item.remove("currency");
      products.add(item);
      total += p.price() * quantity;
    }
    properties.put("revenue", round(total)).put("currency", "EUR");
    return properties;
  }

  private void page(String path, String query, String externalReferrer) {
    String url = Catalog.HOST + path + (query.isEmpty() ? "" : "?" + query);
    String referrer = currentUrl != null ? currentUrl : externalReferrer;
    currentUrl = url;
    hits.add(new Hit(time, Hit.Kind.PAGE, null, url, path, referrer, userId, JSON.objectNode(), messageId()));
  }

  private void track(String event, ObjectNode properties) {
    add(Hit.Kind.TRACK, event, properties);
  }

  private void add(Hit.Kind kind, String event, ObjectNode data) {
    time = time.plusMillis(300 + random.nextInt(1_500));
    Hit last = hits.get(hits.size() - 1);
    hits.add(new Hit(time, kind, event, last.url(), last.path(), last.referrer(), userId, data, messageId()));
  }

  /** A human pause between pages: min..max seconds. */
  private void think(int minSeconds, int maxSeconds) {
    time = time.plus(Duration.ofMillis((minSeconds + random.nextInt(maxSeconds - minSeconds + 1)) * 1000L
        + random.nextInt(1000)));
  }

  private String messageId() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
