package io.trackside.destination;

import static io.trackside.destination.Ga4Fixtures.API_SECRET;
import static io.trackside.destination.Ga4Fixtures.CLOCK;
import static io.trackside.destination.Ga4Fixtures.MEASUREMENT_ID;
import static io.trackside.destination.Ga4Fixtures.deliver;
import static io.trackside.destination.Ga4Fixtures.destination;
import static io.trackside.destination.Ga4Fixtures.parse;
import static io.trackside.destination.Ga4Fixtures.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests built by the destination, sent over real HTTP to the stand-in, answers read by verdict(). */
class Ga4StandInTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String CONSENT = "\"consent\":{\"categoryPreferences\":{\"Advertising\":true,\"Analytics\":true}}";

  private Ga4StandIn ga;

  @BeforeEach
  void start() throws Exception {
    ga = Ga4StandIn.start(MEASUREMENT_ID, API_SECRET, CLOCK);
  }

  @AfterEach
  void stop() {
    ga.close();
  }

  /** Sends a request as the engine will: method, URI, headers and body as request() built them. */
  private static HttpResponse<String> post(OutgoingRequest request) throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(Duration.ofSeconds(5))
        .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
    request.headers().forEach(builder::header);
    return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Events of one visitor, with the same consent and traits, at one-second intervals. */
  private static List<Mapped.Send> visit(Ga4Destination ga4, String anonymousId, String... eventsAndProperties) {
    List<Mapped.Send> payloads = new ArrayList<>();
    for (int i = 0; i < eventsAndProperties.length; i += 2) {
      String json = "{\"type\":\"track\",\"event\":\"" + eventsAndProperties[i] + "\",\"messageId\":\"" + anonymousId + "-" + i
          + "\",\"anonymousId\":\"" + anonymousId + "\",\"timestamp\":\"2024-05-01T10:00:0" + (i / 2 % 10) + "Z\","
          + "\"properties\":" + eventsAndProperties[i + 1] + ",\"context\":{" + CONSENT
          + ",\"traits\":{\"plan\":\"pro\",\"email\":\"jane@example.com\"},\"page\":{\"url\":\"https://shop.example/\"}}}";
      payloads.add(send(ga4.map(deliver(json))));
    }
    return payloads;
  }

  @Test
  void oneVisitorsEventsGoInOneRequestToTheLiveEndpoint() throws Exception {
    Ga4Destination ga4 = destination("base-url", ga.baseUrl());
    List<Mapped.Send> payloads = visit(ga4, Ga4Fixtures.anonymousId(),
        "Product Viewed", "{\"sku\":\"MUG-1\",\"name\":\"Mug\",\"price\":19.5,\"currency\":\"EUR\"}",
        "Product Added", "{\"sku\":\"MUG-1\",\"price\":19.5,\"quantity\":2,\"currency\":\"EUR\"}",
        "Order Completed", "{\"order_id\":\"T-1\",\"revenue\":39,\"currency\":\"EUR\",\"products\":[{\"sku\":\"MUG-1\",\"price\":19.5,\"quantity\":2}]}");
    assertThat(payloads).extracting(Mapped.Send::batchKey).containsOnly(payloads.get(0).batchKey());

    HttpResponse<String> response = post(ga4.request(payloads));
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(ga4.verdict(response.statusCode(), response.body())).isEqualTo(Verdict.DELIVERED);

    assertThat(ga.received()).hasSize(1);
    Ga4StandIn.Received got = ga.received().get(0);
    assertThat(got.method()).isEqualTo("POST");
    assertThat(got.path()).isEqualTo("/mp/collect");
    assertThat(got.credentialsOk()).isTrue();
    assertThat(got.contentType()).isEqualTo("application/json");
    JsonNode body = got.body();
    assertThat(body.get("client_id").asText()).matches("\\d{10}\\.\\d{10}");
    assertThat(body.get("consent").get("ad_user_data").asText()).isEqualTo("GRANTED");
    assertThat(body.get("user_properties").get("plan").get("value").asText()).isEqualTo("pro");
    assertThat(body.get("user_data").get("sha256_email_address")).hasSize(1);
    assertThat(body.get("events")).extracting(e -> e.get("name").asText())
        .containsExactly("view_item", "add_to_cart", "purchase");
    assertThat(body.get("events")).allSatisfy(e -> {
      assertThat(e.get("params").get("session_id").asText()).isEqualTo(body.get("events").get(0).get("params").get("session_id").asText());
      assertThat(e.get("params").get("engagement_time_msec").asLong()).isPositive();
      assertThat(e.has(Ga4Destination.REQUEST)).isFalse();
    });
    assertThat(body.get("events").get(2).get("params").get("transaction_id").asText()).isEqualTo("T-1");
    assertThat(body.toString()).doesNotContain(Ga4Destination.REQUEST).doesNotContain("jane@");
    // The engine's size estimate is an upper bound of the real body.
    assertThat(payloads.stream().mapToInt(Mapped.Send::bytes).sum()).isGreaterThanOrEqualTo(ga4.request(payloads).body().length);
  }

  @Test
  void theDebugEndpointFindsNothingWrongWithAFullBatchOfEverythingTheMappingBuilds() throws Exception {
    Ga4Destination ga4 = destination("base-url", ga.baseUrl(), "validate", "true");
    String product = "{\"product_id\":\"p1\",\"sku\":\"MUG-1\",\"name\":\"Mug — ceramic ☕\",\"brand\":\"Acme\","
        + "\"category\":\"Kitchen\",\"variant\":\"blue\",\"price\":19.5,\"quantity\":2,\"position\":1}";
    String products = "{\"order_id\":\"T-2\",\"revenue\":39,\"shipping\":4,\"tax\":3,\"coupon\":\"C\",\"products\":[" + product + "]}";
    List<Mapped.Send> payloads = visit(ga4, Ga4Fixtures.anonymousId(),
        "Products Searched", "{\"query\":\"mug\"}", "Product List Viewed", "{\"list_id\":\"l\",\"products\":[" + product + "]}",
        "Product Clicked", product, "Product Viewed", product, "Product Added", product, "Product Removed", product,
        "Cart Viewed", products, "Checkout Started", products, "Checkout Step Completed", "{\"shipping_method\":\"DHL\"}",
        "Payment Info Entered", "{\"payment_method\":\"card\"}", "Order Completed", products, "Order Refunded", products,
        "Product Added to Wishlist", product, "Promotion Viewed", "{\"promotion_id\":\"p\",\"name\":\"Sale\"}",
        "Promotion Clicked", "{\"promotion_id\":\"p\",\"creative\":\"banner\"}", "Signed Up", "{\"type\":\"organic\"}",
        "Logged In", "{\"method\":\"google\"}", "Video Played", "{\"videoTitle\":\"Intro\",\"seconds\":30}",
        "Session Start", "{}", "Ünïcödé Event", "{\"ключ\":\"значение\",\"k\":\"значение\"}",
        "Order Completed", products, "Order Completed", products, "Product Viewed", product, "Product Viewed", product,
        "Cart Viewed", products);
    assertThat(payloads).hasSize(25);

    OutgoingRequest request = ga4.request(payloads);
    assertThat(request.uri().getPath()).isEqualTo("/debug/mp/collect");
    HttpResponse<String> response = post(request);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(parse(response.body()).get("validationMessages")).isEmpty();
    assertThat(ga4.verdict(response.statusCode(), response.body())).isEqualTo(Verdict.DELIVERED);
    assertThat(ga.received().get(0).body().get("validation_behavior").asText()).isEqualTo("ENFORCE_RECOMMENDATIONS");
    assertThat(ga.received().get(0).body().get("events")).hasSize(25);
  }

  @Test
  void whatGa4WouldDropComesBackAsARejection() throws Exception {
    Ga4Destination ga4 = destination("base-url", ga.baseUrl(), "validate", "true");
    // Nothing the mapping makes looks like this (it rejects such events itself), so the payload is built by hand.
    ObjectNode body = (ObjectNode) parse("{\"name\":\"_bad\",\"params\":{\"value\":5},\"_request\":{\"client_id\":\"1.2\"}}");
    OutgoingRequest request = ga4.request(List.of(new Mapped.Send("e1", "1.2|x", body, 100)));
    HttpResponse<String> response = post(request);
    Verdict verdict = ga4.verdict(response.statusCode(), response.body());
    assertThat(verdict).isInstanceOf(Verdict.Rejected.class);
    assertThat(((Verdict.Rejected) verdict).reason()).startsWith("ga4_validation: NAME_INVALID events[0].name: Event at index: [0]")
        .contains("VALUE_REQUIRED events[0].params.currency");
  }

  @Test
  void aWrongSecretStillGets204SoOnlyTheValidationToolsCanTell() throws Exception {
    Ga4Destination ga4 = destination("base-url", ga.baseUrl(), "api-secret", "not-the-secret");
    List<Mapped.Send> payloads = visit(ga4, Ga4Fixtures.anonymousId(), "Video Played", "{}");
    HttpResponse<String> response = post(ga4.request(payloads));
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(ga4.verdict(response.statusCode(), response.body())).isEqualTo(Verdict.DELIVERED);
    assertThat(ga.received().get(0).credentialsOk()).isFalse();
    assertThat(ga.received().get(0).query()).containsEntry("api_secret", "not-the-secret")
        .containsEntry("measurement_id", MEASUREMENT_ID);
  }

  @Test
  void errorAnswersAreReadAsRejectionsOrRetries() throws Exception {
    Ga4Destination ga4 = destination("base-url", ga.baseUrl());
    OutgoingRequest request = ga4.request(visit(ga4, Ga4Fixtures.anonymousId(), "Video Played", "{}"));

    ga.answerNext(400, "{\"error\":{\"code\":400,\"message\":\"Invalid JSON payload received.\"}}");
    HttpResponse<String> refused = post(request);
    assertThat(ga4.verdict(refused.statusCode(), refused.body())).isEqualTo(new Verdict.Rejected(
        "ga4 answered 400: {\"error\":{\"code\":400,\"message\":\"Invalid JSON payload received.\"}}"));

    ga.answerNext(503, "busy");
    HttpResponse<String> busy = post(request);
    assertThat(ga4.verdict(busy.statusCode(), busy.body())).isEqualTo(new Verdict.Retry("ga4 answered 503"));

    HttpResponse<String> fine = post(request);
    assertThat(ga4.verdict(fine.statusCode(), fine.body())).isEqualTo(Verdict.DELIVERED);
    assertThat(ga.received()).hasSize(3);
  }

  @Test
  void payloadsOfDifferentVisitorsAreNeverOneRequest() {
    Ga4Destination ga4 = destination("base-url", ga.baseUrl());
    Mapped.Send a = visit(ga4, Ga4Fixtures.anonymousId(), "Video Played", "{}").get(0);
    Mapped.Send b = visit(ga4, Ga4Fixtures.anonymousId(), "Video Played", "{}").get(0);
    assertThat(a.batchKey()).isNotEqualTo(b.batchKey());
    assertThatThrownBy(() -> ga4.request(List.of(a, b))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch key");
    assertThatThrownBy(() -> ga4.request(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requestLeavesThePayloadsAsTheyWereForARetry() throws Exception {
    Ga4Destination ga4 = destination("base-url", ga.baseUrl());
    List<Mapped.Send> payloads = visit(ga4, Ga4Fixtures.anonymousId(), "Video Played", "{}", "Video Paused", "{}");
    String before = payloads.toString();
    byte[] first = ga4.request(payloads).body();
    byte[] second = ga4.request(payloads).body();
    assertThat(payloads.toString()).isEqualTo(before);
    assertThat(second).isEqualTo(first);
    // Split for isolating a bad event, each half is a valid request of its own.
    for (Mapped.Send payload : payloads) {
      assertThat(post(ga4.request(List.of(payload))).statusCode()).isEqualTo(204);
    }
    assertThat(ga.received()).extracting(r -> r.body().get("events").size()).containsExactly(1, 1);
  }
}
