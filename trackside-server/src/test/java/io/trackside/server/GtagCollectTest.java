package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gtag.js hits, written exactly as gtag.js writes them, sent over real HTTP to a real node, and
 * read back field by field from the warehouse (/api/events) — and from a GA4 stand-in, to see
 * that forwarding keeps the site's client and session ids.
 */
class GtagCollectTest {
  static final String TID = "G-TEST123";
  static final String CHROME_WINDOWS =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36";
  static final String ORIGIN = "https://shop.example";
  /** uafvl as gtag.js encodes it: each brand and version encoded, then the whole list again. */
  static final String CLIENT_HINTS = "uaa=x86&uab=64&uafvl=Google%2520Chrome%3B137.0.7151.55%7CChromium%3B137.0.7151.55"
      + "%7CNot%252FA)Brand%3B24.0.0.0&uamb=0&uam=&uap=Windows&uapv=15.0.0&uaw=0";
  /** Three events of a shop visit, one per line, CRLF as observed from gtag.js. */
  static final String SHOP_LINES = String.join("\r\n",
      "en=view_item&_et=1200&cu=EUR&epn.value=39.98&pr1=id123~nmShirt~pr19.99~qt2",
      "en=add_to_cart&_et=300&cu=EUR&epn.value=39.98&pr1=id123~nmShirt~pr19.99~qt2",
      "en=purchase&_et=5&ep.transaction_id=T-981&cu=EUR&epn.value=44.48&epn.tax=6.2&epn.shipping=4.9"
          + "&ep.coupon=SPRING&pr1=id123~nmShirt~brAcme~caApparel~c2Shirts~vaBlue~pr19.99~qt2~cpSHIRT10~k0colour~v0sky%20blue"
          + "&pr2=id456~nmSocks%20~~%20Co~pr4.5~qt1");

  @TempDir
  static Path dir;
  static TestNode node;
  static HttpServer ga4;
  static final List<JsonNode> GA4_BODIES = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    ga4 = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    ga4.createContext("/mp/collect", exchange -> {
      GA4_BODIES.add(TestNode.JSON.readTree(exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    ga4.start();
    Files.writeString(dir.resolve("trackside.yml"), """
        sources:
          - name: web
            measurement-ids: [%s]
        destinations:
          - id: ga4
            type: ga4
            measurement-id: %s
            api-secret: test-secret
            base-url: http://127.0.0.1:%d
            linger: 20ms
        """.formatted(TID, TID, ga4.getAddress().getPort()));
    node = TestNode.start(dir);
  }

  @AfterAll
  static void stop() {
    node.close();
    ga4.stop(0);
  }

  /** A page_view sent alone (GET, or a POST with an empty body): everything in the query. */
  static String pageView(String cid, String pageLoadId, int sequence) {
    return "v=2&tid=" + TID + "&gtm=45je4bk0v9181465235za200&_p=" + pageLoadId + "&gcs=G111&gcd=13t3t3t3t5l1&npa=0"
        + "&dma=0&tag_exp=101925629~102067555&cid=" + cid + "&ul=en-us&sr=1920x1080&" + CLIENT_HINTS
        + "&are=1&frm=0&pscdl=noapi&_eu=AAAAAAQ&_s=" + sequence + "&sid=1732860000&sct=3&seg=1"
        + "&dl=https%3A%2F%2Fshop.example%2Fproducts%2Fshirt%3Futm_source%3Dnewsletter%26utm_medium%3Demail"
        + "%26utm_campaign%3Dspring%26gclid%3DCj0KCQ_test"
        + "&dr=https%3A%2F%2Fwww.google.com%2F&dt=Blue%20Shirt%20%E2%80%93%20Shop&en=page_view&_fv=1&_ss=1&tfd=1234";
  }

  /** The shared part of a batched POST: no event name; gcs/gcd as given. */
  static String batchQuery(String cid, String pageLoadId, int sequence, String consent) {
    return "v=2&tid=" + TID + "&gtm=45je4bk0v9181465235za200&_p=" + pageLoadId + "&" + consent
        + "&dma=1&cid=" + cid + "&ul=de-de&sr=390x844&_s=" + sequence + "&sid=1732860000&sct=1&seg=1"
        + "&dl=https%3A%2F%2Fshop.example%2Fcart&dt=Cart&_eu=EA";
  }

  static final String DENIED = "gcs=G100&gcd=13p3p3p2p5l1&npa=1";
  static final String GRANTED = "gcs=G111&gcd=13t3t3t3t5l1&npa=0";

  static String newCid() {
    return (1_000_000_000L + ThreadLocalRandom.current().nextLong(8_999_999_999L)) + ".1732850000";
  }

  private static HttpRequest.Builder hit(String query) {
    return HttpRequest.newBuilder(URI.create(node.url("/g/collect?" + query)))
        .header("User-Agent", CHROME_WINDOWS).header("Origin", ORIGIN);
  }

  private static HttpResponse<String> get(String query) throws Exception {
    return node.send(hit(query).GET().build());
  }

  private static HttpResponse<String> post(String query, String body) throws Exception {
    return node.send(hit(query).header("Content-Type", "text/plain;charset=UTF-8")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static String rawGet(String pathAndQuery) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", node.node.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static List<JsonNode> rows(JsonNode events, String cid) {
    List<JsonNode> rows = new ArrayList<>();
    for (JsonNode e : events) {
      if (cid.equals(e.path("anonymous_id").asText())) {
        rows.add(e);
      }
    }
    return rows;
  }

  private static List<JsonNode> rowsUntil(String cid, int count) throws Exception {
    return rows(node.eventsUntil("?limit=10000", e -> rows(e, cid).size() >= count), cid);
  }

  private static JsonNode byEvent(List<JsonNode> rows, String event) {
    return rows.stream().filter(r -> event.equals(r.path("event").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + event + " in " + rows));
  }

  private static String metrics() throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url("/metrics"))).GET().build()).body();
  }

  @Test
  void aSingleGetHitIsStoredAsAPageViewWithEveryFieldEnriched() throws Exception {
    String cid = newCid();
    HttpResponse<String> response = get(pageView(cid, "1732860000123", 1));
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.body()).isEmpty();
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
    assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");

    List<JsonNode> rows = rowsUntil(cid, 1);
    assertThat(rows).hasSize(1);
    JsonNode e = rows.get(0);
    assertThat(e.path("type").asText()).isEqualTo("page");
    assertThat(e.path("event").isNull()).isTrue();
    assertThat(e.path("source").asText()).isEqualTo("web");
    assertThat(e.path("message_id").asText()).startsWith("gtag-");
    assertThat(e.path("user_id").isNull()).isTrue();
    assertThat(e.path("timestamp").asText()).as("gtag sends no client time").isEqualTo(e.path("received_at").asText());
    assertThat(e.path("original_timestamp").isNull()).isTrue();
    assertThat(e.path("page_url").asText()).startsWith("https://shop.example/products/shirt?").contains("gclid=Cj0KCQ_test");
    assertThat(e.path("page_host").asText()).isEqualTo("shop.example");
    assertThat(e.path("page_path").asText()).isEqualTo("/products/shirt");
    assertThat(e.path("page_title").asText()).isEqualTo("Blue Shirt – Shop");
    assertThat(e.path("page_referrer").asText()).isEqualTo("https://www.google.com/");
    assertThat(e.path("utm_source").asText()).isEqualTo("newsletter");
    assertThat(e.path("utm_medium").asText()).isEqualTo("email");
    assertThat(e.path("utm_campaign").asText()).isEqualTo("spring");
    assertThat(e.path("click_ids").path("gclid").asText()).isEqualTo("Cj0KCQ_test");
    assertThat(e.path("locale").asText()).isEqualTo("en-US");
    assertThat(e.path("library_name").asText()).isEqualTo("gtag.js");
    assertThat(e.path("user_agent").asText()).isEqualTo(CHROME_WINDOWS);
    assertThat(e.path("ip").asText()).isEqualTo("127.0.0.0");
    assertThat(e.path("browser").asText()).isEqualTo("Chrome");
    assertThat(e.path("os").asText()).isEqualTo("Windows");
    // The User-Agent says "Windows NT 10.0" for 10 and 11 alike; only the client hint (uapv=15.0.0) tells 11.
    assertThat(e.path("os_version").asText()).isEqualTo("11");
    assertThat(e.path("device_class").asText()).isEqualTo("desktop");
    assertThat(e.path("is_bot").asBoolean()).isFalse();
    List<String> consent = new ArrayList<>();
    e.path("consent").forEach(c -> consent.add(c.asText()));
    assertThat(consent).contains("analytics", "analytics_storage", "advertising", "ad_storage", "ad_user_data",
        "ad_personalization");
    assertThat(e.path("session_id").asText()).isNotBlank();
    assertThat(e.path("visitor_id").asText()).isEqualTo(cid);
    JsonNode ga = e.path("context").path("ga");
    assertThat(ga.path("clientId").asText()).isEqualTo(cid);
    assertThat(ga.path("sessionId").asText()).isEqualTo("1732860000");
    assertThat(ga.path("sessionNumber").asInt()).isEqualTo(3);
    assertThat(ga.path("measurementId").asText()).isEqualTo(TID);
    assertThat(e.path("context").path("screen").path("width").asInt()).isEqualTo(1920);
    assertThat(e.path("properties").path("title").asText()).isEqualTo("Blue Shirt – Shop");
  }

  @Test
  void aBatchedPostStoresEveryLineWithItsItemsAndTheDeniedConsent() throws Exception {
    String cid = newCid();
    assertThat(post(batchQuery(cid, "1732860000999", 4, DENIED), SHOP_LINES).statusCode()).isEqualTo(204);

    List<JsonNode> rows = rowsUntil(cid, 3);
    assertThat(rows).hasSize(3).allSatisfy(r -> {
      assertThat(r.path("type").asText()).isEqualTo("track");
      assertThat(r.path("source").asText()).isEqualTo("web");
      assertThat(r.path("page_url").asText()).isEqualTo("https://shop.example/cart");
      assertThat(r.path("locale").asText()).isEqualTo("de-DE");
      // Consent known, nothing granted: an empty set, not "unknown" (null).
      assertThat(r.path("consent").isArray()).isTrue();
      assertThat(r.path("consent").size()).isZero();
      assertThat(r.path("context").path("consent").path("analytics_storage").asText()).isEqualTo("denied");
    });
    assertThat(rows).extracting(r -> r.path("message_id").asText()).doesNotHaveDuplicates();

    JsonNode viewed = byEvent(rows, "Product Viewed");
    assertThat(viewed.path("properties").path("product_id").asText()).isEqualTo("123");
    assertThat(viewed.path("properties").path("name").asText()).isEqualTo("Shirt");
    assertThat(viewed.path("properties").path("price").decimalValue()).isEqualByComparingTo("19.99");
    assertThat(viewed.path("properties").path("quantity").asInt()).isEqualTo(2);
    assertThat(viewed.path("properties").path("currency").asText()).isEqualTo("EUR");
    assertThat(viewed.path("context").path("ga").path("engagementTimeMsec").asLong()).isEqualTo(1200);
    assertThat(byEvent(rows, "Product Added").path("properties").path("product_id").asText()).isEqualTo("123");

    JsonNode order = byEvent(rows, "Order Completed").path("properties");
    assertThat(order.path("order_id").asText()).isEqualTo("T-981");
    assertThat(order.path("revenue").decimalValue()).isEqualByComparingTo("44.48");
    assertThat(order.path("currency").asText()).isEqualTo("EUR");
    assertThat(order.path("tax").decimalValue()).isEqualByComparingTo("6.2");
    assertThat(order.path("shipping").decimalValue()).isEqualByComparingTo("4.9");
    assertThat(order.path("coupon").asText()).isEqualTo("SPRING");
    JsonNode shirt = order.path("products").path(0);
    assertThat(shirt.path("product_id").asText()).isEqualTo("123");
    assertThat(shirt.path("name").asText()).isEqualTo("Shirt");
    assertThat(shirt.path("brand").asText()).isEqualTo("Acme");
    assertThat(shirt.path("category").asText()).isEqualTo("Apparel");
    assertThat(shirt.path("variant").asText()).isEqualTo("Blue");
    assertThat(shirt.path("price").decimalValue()).isEqualByComparingTo("19.99");
    assertThat(shirt.path("quantity").asInt()).isEqualTo(2);
    assertThat(shirt.path("coupon").asText()).isEqualTo("SHIRT10");
    assertThat(shirt.path("colour").asText()).isEqualTo("sky blue");
    JsonNode socks = order.path("products").path(1);
    assertThat(socks.path("name").asText()).isEqualTo("Socks ~ Co");
    assertThat(socks.path("price").decimalValue()).isEqualByComparingTo("4.5");
  }

  @Test
  void anUnknownOrMissingMeasurementIdIsRefusedAndNothingIsStored() throws Exception {
    String cid = newCid();
    String unknown = pageView(cid, "1", 1).replace("tid=" + TID, "tid=G-UNKNOWN99");
    HttpResponse<String> refused = get(unknown);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(TestNode.JSON.readTree(refused.body()).path("code").asText()).isEqualTo("unknown_measurement_id");
    assertThat(post(unknown.replace("&en=page_view", ""), "en=purchase&ep.transaction_id=T-1").statusCode())
        .isEqualTo(400);
    HttpResponse<String> missing = get(pageView(cid, "1", 1).replace("tid=" + TID + "&", ""));
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(TestNode.JSON.readTree(missing.body()).path("code").asText()).isEqualTo("missing_measurement_id");
    HttpResponse<String> universal = get(pageView(cid, "1", 1).replace("v=2", "v=1"));
    assertThat(universal.statusCode()).isEqualTo(400);
    assertThat(TestNode.JSON.readTree(universal.body()).path("code").asText()).isEqualTo("unsupported_version");
    // The measurement id matches without regard to case.
    String marker = newCid();
    assertThat(get(pageView(marker, "2", 1).replace("tid=" + TID, "tid=g-test123")).statusCode()).isEqualTo(204);

    JsonNode events = node.eventsUntil("?limit=10000", e -> !rows(e, marker).isEmpty());
    assertThat(rows(events, marker)).hasSize(1);
    assertThat(rows(events, cid)).isEmpty();
    assertThat(node.quarantineUntil(q -> true).toString()).doesNotContain(cid);
    assertThat(metrics()).contains("trackside_collect_requests_rejected_total{reason=\"unknown_measurement_id\"} 2.0");
  }

  @Test
  void aRetriedIdenticalHitIsStoredOnce() throws Exception {
    String cid = newCid();
    String pageView = pageView(cid, "1732860000555", 1);
    assertThat(get(pageView).statusCode()).isEqualTo(204);
    assertThat(get(pageView).statusCode()).isEqualTo(204);
    String batch = batchQuery(cid, "1732860000555", 2, GRANTED);
    assertThat(post(batch, "en=sign_up&ep.method=email").statusCode()).isEqualTo(204);
    assertThat(post(batch, "en=sign_up&ep.method=email").statusCode()).isEqualTo(204);
    // The next hit of the page load (_s=3) is a new event even with the same content; it also
    // tells when the retries have been processed (same visitor, same partition, in order).
    assertThat(post(batchQuery(cid, "1732860000555", 3, GRANTED), "en=sign_up&ep.method=email").statusCode())
        .isEqualTo(204);

    List<JsonNode> rows = rowsUntil(cid, 3);
    Thread.sleep(300); // a duplicate, were it written, would be in the same batch or the next
    rows = rows(node.eventsUntil("?limit=10000", e -> true), cid);
    assertThat(rows.stream().filter(r -> r.path("type").asText().equals("page")).count()).isEqualTo(1);
    assertThat(rows.stream().filter(r -> r.path("event").asText().equals("Signed Up")).count()).isEqualTo(2);
    assertThat(byEvent(rows, "Signed Up").path("properties").path("method").asText()).isEqualTo("email");
  }

  @Test
  void aMalformedLineIsQuarantinedAndTheOtherLinesAreStored() throws Exception {
    String cid = newCid();
    HttpResponse<String> response = post(batchQuery(cid, "7", 1, GRANTED), "en=first_ok\nen=bad%zz&ep.x=1\nen=second_ok");
    assertThat(response.statusCode()).isEqualTo(204);
    List<JsonNode> rows = rowsUntil(cid, 2);
    assertThat(rows).extracting(r -> r.path("event").asText()).containsExactlyInAnyOrder("first_ok", "second_ok");
    JsonNode quarantine = node.quarantineUntil(q -> q.toString().contains("bad%zz"));
    JsonNode row = null;
    for (JsonNode q : quarantine) {
      if (q.path("payload").asText().contains("bad%zz")) {
        row = q;
      }
    }
    assertThat(row).as("the malformed line in the quarantine").isNotNull();
    assertThat(row.path("reason").asText()).isEqualTo("invalid_hit");
    assertThat(row.path("source").asText()).isEqualTo("web");
    assertThat(row.path("detail").asText()).contains("line 2");
    assertThat(metrics()).contains("trackside_collect_events_quarantined_total{reason=\"invalid_hit\",source=\"web\"} 1.0");
  }

  @Test
  void oversizedRequestsAreRefusedWithTheirReasonNeverA500() throws Exception {
    String query = batchQuery(newCid(), "8", 1, GRANTED);
    HttpResponse<String> tooLarge = post(query, "en=x&ep.blob=" + "x".repeat(600 * 1024));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(TestNode.JSON.readTree(tooLarge.body()).path("code").asText()).isEqualTo("request_too_large");
    HttpResponse<String> tooMany = post(query, "en=x\n".repeat(2501));
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(TestNode.JSON.readTree(tooMany.body()).path("code").asText()).isEqualTo("batch_too_large");
    // A broken percent escape (which Java's own HTTP client refuses to send): raw over a socket.
    String badQuery = rawGet("/g/collect?v=2&tid=" + TID + "&dl=%E0%A4%A");
    assertThat(badQuery).startsWith("HTTP/1.1 400").contains("invalid_hit");
    // A long URL, as gtag.js writes for a page with a long address and title, is read.
    String cid = newCid();
    String longHit = pageView(cid, "9", 1) + "&ep.note=" + "y".repeat(8000);
    assertThat(rawGet("/g/collect?" + longHit)).startsWith("HTTP/1.1 204");
    assertThat(get(longHit.replace("&_s=1", "&_s=2")).statusCode()).as("over HTTP/2 (h2c) too").isEqualTo(204);
    assertThat(rowsUntil(cid, 2)).hasSize(2);
  }

  @Test
  void browsersGetCorsWithCredentials() throws Exception {
    HttpResponse<String> preflight = node.send(HttpRequest.newBuilder(URI.create(node.url("/g/collect?v=2&tid=" + TID)))
        .header("Origin", ORIGIN).header("Access-Control-Request-Method", "POST")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
  }

  @Test
  void forwardingToGa4KeepsTheSitesClientAndSessionIds() throws Exception {
    String cid = newCid();
    assertThat(get(pageView(cid, "1732860000777", 1)).statusCode()).isEqualTo(204);
    String purchase = SHOP_LINES.split("\r\n")[2];
    assertThat(post(batchQuery(cid, "1732860000777", 2, GRANTED), purchase).statusCode()).isEqualTo(204);

    Map<String, JsonNode> byName = ga4EventsUntil(cid, 2);
    JsonNode pageView = byName.get("page_view");
    assertThat(pageView).as("page_view at GA4: %s", GA4_BODIES).isNotNull();
    assertThat(pageView.path("params").path("session_id").asText()).isEqualTo("1732860000");
    assertThat(pageView.path("params").path("page_location").asText()).startsWith("https://shop.example/products/shirt");
    JsonNode order = byName.get("purchase");
    assertThat(order).as("purchase at GA4: %s", GA4_BODIES).isNotNull();
    JsonNode params = order.path("params");
    assertThat(params.path("session_id").asText()).isEqualTo("1732860000");
    assertThat(params.path("engagement_time_msec").asLong()).isEqualTo(5);
    assertThat(params.path("transaction_id").asText()).isEqualTo("T-981");
    assertThat(params.path("value").decimalValue()).isEqualByComparingTo("44.48");
    assertThat(params.path("currency").asText()).isEqualTo("EUR");
    assertThat(params.path("items").path(0).path("item_id").asText()).isEqualTo("123");
    assertThat(params.path("items").path(0).path("item_name").asText()).isEqualTo("Shirt");
    assertThat(params.path("items").path(0).path("quantity").asInt()).isEqualTo(2);
    assertThat(params.path("items").path(1).path("item_id").asText()).isEqualTo("456");
    JsonNode request = GA4_BODIES.stream().filter(b -> b.toString().contains("T-981") && cid.equals(b.path("client_id").asText()))
        .findFirst().orElseThrow();
    assertThat(request.path("consent").path("ad_user_data").asText()).isEqualTo("GRANTED");
  }

  /** GA4 events sent for this client id, by name, once there are at least {@code count}. */
  private static Map<String, JsonNode> ga4EventsUntil(String cid, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Map<String, JsonNode> byName = new java.util.HashMap<>();
    while (System.nanoTime() < deadline) {
      byName.clear();
      for (JsonNode body : GA4_BODIES) {
        if (cid.equals(body.path("client_id").asText())) {
          body.path("events").forEach(event -> byName.put(event.path("name").asText(), event));
        }
      }
      if (byName.size() >= count) {
        break;
      }
      Thread.sleep(50);
    }
    return byName;
  }

  @Test
  void whenTheLogRefusesTheHitIsAnswered503WithRetryAfter(@TempDir Path own) throws Exception {
    Files.writeString(own.resolve("trackside.yml"), "sources: [{name: web, measurement-ids: [" + TID + "]}]\n");
    // More free space than any disk has: the guard trips exactly as it does when the disk fills up.
    try (TestNode full = TestNode.start(own, Map.of("log.min-free-disk", "1000000GB"))) {
      HttpResponse<String> response = full.send(HttpRequest.newBuilder(
          URI.create(full.url("/g/collect?" + pageView(newCid(), "1", 1)))).GET().build());
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).isPresent();
      String metrics = full.send(HttpRequest.newBuilder(URI.create(full.url("/metrics"))).GET().build()).body();
      assertThat(metrics).contains("trackside_collect_events_refused_total{reason=\"disk_full\",source=\"web\"} 1.0");
    }
  }

  @Test
  void receivedEqualsStoredPlusQuarantinedForTheSource() throws Exception {
    String cid = newCid();
    assertThat(post(batchQuery(cid, "11", 1, GRANTED), "en=a\nen=b").statusCode()).isEqualTo(204);
    rowsUntil(cid, 2);
    String metrics = metrics();
    assertThat(metrics).containsPattern("trackside_collect_events_received_total\\{source=\"web\"\\} [1-9]");
    assertThat(metrics).containsPattern("trackside_collect_events_stored_total\\{source=\"web\"\\} [1-9]");
  }
}
