package io.trackside.example.shop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.sdk.Trackside;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shopper without a browser (HTTP with a cookie jar, so without the snippet): list → product →
 * add to cart → checkout → confirmation, against the shop and a real Trackside. What is asserted
 * is what Trackside stored.
 */
class ShopJourneyTest {
  static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      + "Chrome/124.0.0.0 Safari/537.36";
  private static final Pattern PV = Pattern.compile("data-pv=\"([^\"]+)\"");
  private static final Pattern AID = Pattern.compile("data-aid=\"([^\"]+)\"");
  private static final Pattern ORDER_ID = Pattern.compile("id=\"order-id\">([^<]+)<");

  @TempDir
  static Path dir;

  static TracksideServer trackside;
  static Trackside client;
  static Shop shop;

  @BeforeAll
  static void start() throws Exception {
    trackside = TracksideServer.start(dir);
    client = Trackside.builder(TracksideServer.WRITE_KEY).endpoint(URI.create(trackside.url()))
        .flushInterval(Duration.ofMillis(200)).build();
    shop = new Shop("127.0.0.1", 0, trackside.url(), TracksideServer.WRITE_KEY, client).start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (shop != null) {
      shop.stop();
    }
    if (client != null) {
      client.close();
    }
    if (trackside != null) {
      trackside.close();
    }
  }

  /** A visitor of their own: a cookie jar, redirects followed as a browser does (303 → GET). */
  static final class Shopper {
    final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
        .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<String> get(String path) throws Exception {
      return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
      String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
          + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
      return http.send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String path) {
      return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + shop.port() + path)).header("User-Agent", BROWSER);
    }
  }

  private static String find(Pattern pattern, HttpResponse<String> page) {
    Matcher m = pattern.matcher(page.body());
    assertThat(m.find()).as("%s in %s", pattern, page.body()).isTrue();
    return m.group(1);
  }

  @Test
  void aPurchaseIsRecordedServerSideOnceEachWithOneAnonymousId() throws Exception {
    String email = "Jane.Shopper@Example.com";
    String name = "Quirinus Zebedee";
    Shopper shopper = new Shopper();
    Map<String, String> pageViews = new LinkedHashMap<>(); // page-view id → path

    HttpResponse<String> list = shopper.get("/");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains("Beans &quot;Sidamo&quot; 250 g").doesNotContain("\"Sidamo\"");
    String anonymousId = find(AID, list);
    pageViews.put(find(PV, list), "/");

    HttpResponse<String> product = shopper.get("/products/p-kettle");
    assertThat(product.body()).contains("Gooseneck Kettle", "39.00 €", "&lt;slow &amp; even&gt;");
    assertThat(find(AID, product)).as("the cookie is kept").isEqualTo(anonymousId);
    pageViews.put(find(PV, product), "/products/p-kettle");

    HttpResponse<String> cart = shopper.post("/cart/add", Map.of("product_id", "p-kettle", "quantity", "2"));
    assertThat(cart.uri().getPath()).isEqualTo("/cart");
    assertThat(cart.body()).contains("78.00 €");
    pageViews.put(find(PV, cart), "/cart");

    HttpResponse<String> checkout = shopper.get("/checkout");
    assertThat(checkout.body()).contains("id=\"checkout\"");
    pageViews.put(find(PV, checkout), "/checkout");

    HttpResponse<String> typo = shopper.post("/checkout", Map.of("name", name, "email", "jane.shopper@"));
    assertThat(typo.statusCode()).as("a bad address is asked again, no order").isEqualTo(400);
    assertThat(typo.body()).doesNotContain("data-pv"); // no page view for an error page

    HttpResponse<String> confirmation = shopper.post("/checkout", Map.of("name", name, "email", email));
    assertThat(confirmation.statusCode()).isEqualTo(200);
    String orderId = find(ORDER_ID, confirmation);
    assertThat(confirmation.uri().getPath()).isEqualTo("/orders/" + orderId);
    assertThat(confirmation.body()).contains("Quirinus Zebedee", "78.00 €");
    pageViews.put(find(PV, confirmation), "/orders/" + orderId);

    assertThat(new Shopper().get("/orders/" + orderId).statusCode()).as("another visitor cannot see the order").isEqualTo(404);

    assertThat(client.flush()).isTrue();
    List<JsonNode> events = trackside.eventsUntil(e -> Stored.count(e, "page", null) >= 5
        && Stored.count(e, "track", "Order Completed") >= 1 && Stored.count(e, "identify", null) >= 1);
    String all = Stored.describe(events);

    // One page view per page, each with the id the page printed for the snippet.
    Map<String, String> stored = Stored.of(events, "page", null).stream()
        .filter(e -> e.path("anonymous_id").asText().equals(anonymousId))
        .collect(Collectors.toMap(e -> e.path("message_id").asText(), e -> e.path("page_path").asText()));
    assertThat(stored).as(all).isEqualTo(pageViews);
    assertThat(Stored.count(events, "page", null)).as("only this shopper's: the other one saw a 404").isEqualTo(5);

    JsonNode viewed = single(events, "Product Viewed");
    JsonNode viewedProps = TracksideServer.json(viewed.get("properties"));
    assertThat(viewedProps.path("product_id").asText()).isEqualTo("p-kettle");
    assertThat(viewedProps.path("price").decimalValue()).isEqualByComparingTo("39.00");
    assertThat(viewedProps.path("currency").asText()).isEqualTo("EUR");

    JsonNode added = TracksideServer.json(single(events, "Product Added").get("properties"));
    assertThat(added.path("product_id").asText()).isEqualTo("p-kettle");
    assertThat(added.path("quantity").asInt()).isEqualTo(2);

    JsonNode order = single(events, "Order Completed");
    assertThat(order.path("message_id").asText()).isEqualTo(orderId);
    JsonNode orderProps = TracksideServer.json(order.get("properties"));
    assertThat(orderProps.path("order_id").asText()).isEqualTo(orderId);
    assertThat(orderProps.path("revenue").decimalValue()).isEqualByComparingTo("78.00");
    assertThat(orderProps.path("currency").asText()).isEqualTo("EUR");
    assertThat(orderProps.path("products")).hasSize(1);
    JsonNode line = orderProps.path("products").get(0);
    assertThat(line.path("product_id").asText()).isEqualTo("p-kettle");
    assertThat(line.path("quantity").asInt()).isEqualTo(2);
    assertThat(line.path("price").decimalValue()).isEqualByComparingTo("39.00");

    // The e-mail only as the identify's trait, hashed by Trackside; the name nowhere.
    List<JsonNode> identifies = Stored.of(events, "identify", null);
    assertThat(identifies).as(all).hasSize(1);
    assertThat(TracksideServer.json(identifies.get(0).get("traits")).path("email").asText()).isEqualTo(Stored.emailHash(email));
    for (JsonNode e : events) {
      assertThat(e.path("anonymous_id").asText()).as("one shopper, one id: " + e).isEqualTo(anonymousId);
      assertThat(e.toString().toLowerCase(java.util.Locale.ROOT)).doesNotContain("jane.shopper", "quirinus");
      if (!e.path("type").asText().equals("identify")) {
        assertThat(e.toString()).doesNotContain(Stored.emailHash(email));
      }
    }
    assertThat(events).as("nothing else was recorded:\n" + all).hasSize(5 + 3 + 1);
  }

  private static JsonNode single(List<JsonNode> events, String name) {
    List<JsonNode> found = Stored.of(events, "track", name);
    assertThat(found).as(name + " once in:\n" + Stored.describe(events)).hasSize(1);
    return found.get(0);
  }
}
