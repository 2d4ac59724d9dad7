package io.trackside.destination;

import static io.trackside.destination.MetaTestEvents.CLOCK;
import static io.trackside.destination.MetaTestEvents.FBCLID;
import static io.trackside.destination.MetaTestEvents.NOW;
import static io.trackside.destination.MetaTestEvents.PIXEL;
import static io.trackside.destination.MetaTestEvents.TOKEN;
import static io.trackside.destination.MetaTestEvents.page;
import static io.trackside.destination.MetaTestEvents.track;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The requests the destination builds, sent over HTTP to {@link MetaStandIn}, which checks every
 * event as strictly as Meta; and the destination's verdicts on the stand-in's answers.
 */
class MetaStandInTest {

  /** printf %s john.doe@example.com | sha256sum */
  private static final String JOHN_DOE_AT_EXAMPLE = "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f";
  private static final String VERSION = MetaSettings.DEFAULT_API_VERSION;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private MetaStandIn meta;
  private MetaDestination destination;

  /** One answer: the status, the body and what the destination makes of it. */
  private record Answer(int status, String body, Verdict verdict) {
  }

  @BeforeEach
  void start() throws IOException {
    meta = MetaStandIn.start(VERSION, PIXEL, TOKEN, CLOCK);
    destination = new MetaDestination(MetaTestEvents.config(meta.baseUrl()), CLOCK);
  }

  @AfterEach
  void stop() {
    meta.close();
  }

  private Answer send(MetaDestination via, List<Mapped.Send> payloads) throws Exception {
    OutgoingRequest request = via.request(payloads);
    HttpRequest.Builder http = HttpRequest.newBuilder(request.uri()).timeout(Duration.ofSeconds(10))
        .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
    request.headers().forEach(http::header);
    HttpResponse<String> response = this.http.send(http.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body(), via.verdict(response.statusCode(), response.body()));
  }

  private Answer send(List<Mapped.Send> payloads) throws Exception {
    return send(destination, payloads);
  }

  private Mapped.Send map(MetaTestEvents.Builder event) {
    Mapped mapped = destination.map(event.build());
    assertThat(mapped).isInstanceOf(Mapped.Send.class);
    return (Mapped.Send) mapped;
  }

  /** The same event with one field of its body replaced: what a mapping bug would send. */
  private static Mapped.Send tampered(Mapped.Send valid, String path, JsonNode value) {
    ObjectNode body = valid.body().deepCopy();
    String[] parts = path.split("\\.");
    ObjectNode parent = body;
    for (int i = 0; i < parts.length - 1; i++) {
      parent = (ObjectNode) parent.get(parts[i]);
    }
    if (value == null) {
      parent.remove(parts[parts.length - 1]);
    } else {
      parent.set(parts[parts.length - 1], value);
    }
    return new Mapped.Send(valid.eventId(), valid.batchKey(), body, valid.bytes());
  }

  private List<Mapped.Send> aShopVisit() {
    String traits = "{\"traits\":{\"email\":\" John.Doe@Example.com\",\"phone\":\"+1 (650) 555-1212\","
        + "\"firstName\":\"John\",\"lastName\":\"Doe\",\"city\":\"San Francisco\",\"state\":\"CA\","
        + "\"postalCode\":\"94035-1234\",\"country\":\"US\"},\"cookies\":{\"_fbp\":\"fb.1.1762000000000.1098115397\"}}";
    return List.of(
        map(page().fbclid(FBCLID).at(NOW.minus(Duration.ofDays(2)))),
        map(track("Product Viewed").properties("{\"product_id\":\"SKU-1\",\"price\":19.5,\"currency\":\"EUR\"}")),
        map(track("Product Added").properties("{\"product_id\":\"SKU-1\",\"price\":19.5,\"quantity\":2}")),
        map(track("Checkout Started").properties("{\"value\":39,\"currency\":\"EUR\","
            + "\"products\":[{\"product_id\":\"SKU-1\",\"price\":19.5,\"quantity\":2}]}").context(traits)),
        map(track("Payment Info Entered").context(traits)),
        map(track("Order Completed").userId("u-42").context(traits)
            .properties("{\"order_id\":\"T-981\",\"revenue\":39.0,\"currency\":\"EUR\",\"event_id\":\"T-981\","
                + "\"products\":[{\"product_id\":\"SKU-1\",\"price\":19.5,\"quantity\":2}]}")),
        map(track("Products Searched").properties("{\"query\":\"linen\"}")),
        map(track("Signed Up").userId("u-42").context(traits)),
        map(track("Form Submitted").context(traits)),
        map(track("Product Added to Wishlist").properties("{\"product_id\":\"SKU-2\"}")));
  }

  @Test
  void everyStandardEventIsAcceptedAsMetaChecksIt() throws Exception {
    List<Mapped.Send> visit = aShopVisit();
    Answer answer = send(visit);
    assertThat(answer.status()).as(meta.lastError()).isEqualTo(200);
    assertThat(answer.verdict()).isEqualTo(Verdict.DELIVERED);
    assertThat(MetaTestEvents.parse(answer.body()).get("events_received").asInt()).isEqualTo(visit.size());
    assertThat(meta.accepted()).extracting(e -> e.get("event_name").asText()).containsExactly(
        "PageView", "ViewContent", "AddToCart", "InitiateCheckout", "AddPaymentInfo", "Purchase", "Search",
        "CompleteRegistration", "Lead", "AddToWishlist");

    JsonNode purchase = meta.acceptedById("T-981");
    assertThat(purchase.path("user_data").path("em").get(0).asText()).isEqualTo(JOHN_DOE_AT_EXAMPLE);
    assertThat(purchase.path("user_data").path("fbp").asText()).isEqualTo("fb.1.1762000000000.1098115397");
    assertThat(purchase.path("custom_data").path("value").decimalValue()).isEqualByComparingTo("39");
    JsonNode landing = meta.accepted().get(0);
    assertThat(landing.path("user_data").path("fbc").asText()).endsWith("." + FBCLID);
    assertThat(meta.testEventCodes()).isEmpty();
  }

  @Test
  void oneBadEventRefusesTheWholeRequestAndTheVerdictSaysWhy() throws Exception {
    List<Mapped.Send> visit = new ArrayList<>(aShopVisit());
    Mapped.Send purchase = visit.get(5);
    visit.set(5, tampered(purchase, "user_data.em",
        MetaTestEvents.parse("[\"john.doe@example.com\"]"))); // not hashed
    Answer answer = send(visit);
    assertThat(answer.status()).isEqualTo(400);
    assertThat(meta.accepted()).isEmpty();
    assertThat(answer.verdict()).isInstanceOf(Verdict.Rejected.class);
    String reason = ((Verdict.Rejected) answer.verdict()).reason();
    assertThat(reason).contains("OAuthException", "code=100", "data[5].user_data.em", "fbtrace_id=");

    // The engine splits the batch to find the bad event: the others go through, that one does not.
    assertThat(send(visit.subList(0, 5)).verdict()).isEqualTo(Verdict.DELIVERED);
    assertThat(send(visit.subList(5, 6)).verdict()).isInstanceOf(Verdict.Rejected.class);
    assertThat(send(visit.subList(6, visit.size())).verdict()).isEqualTo(Verdict.DELIVERED);
    assertThat(meta.accepted()).hasSize(visit.size() - 1);
  }

  @Test
  void theStandInRefusesWhatMetaRefuses() throws Exception {
    Mapped.Send valid = map(track("Order Completed").userId("u-42")
        .properties("{\"revenue\":39.0,\"currency\":\"EUR\"}").context("{\"traits\":{\"email\":\"j@x.io\"}}"));
    Map<String, JsonNode> mistakes = new java.util.LinkedHashMap<>();
    mistakes.put("event_time", MetaTestEvents.parse(Long.toString(NOW.minus(Duration.ofDays(8)).getEpochSecond())));
    mistakes.put("action_source", null);
    mistakes.put("event_source_url", null);
    mistakes.put("user_data.client_user_agent", null);
    mistakes.put("user_data.ph", MetaTestEvents.parse("[\"16505551212\"]"));
    mistakes.put("user_data.country", MetaTestEvents.parse("[\"US\"]"));
    mistakes.put("user_data.em", MetaTestEvents.parse("[\"" + JOHN_DOE_AT_EXAMPLE.toUpperCase() + "\"]"));
    mistakes.put("user_data.client_ip_address", MetaTestEvents.parse("\"" + JOHN_DOE_AT_EXAMPLE + "\""));
    mistakes.put("user_data.fbc", MetaTestEvents.parse("\"" + FBCLID + "\""));
    mistakes.put("custom_data.currency", null);
    mistakes.put("custom_data.value", MetaTestEvents.parse("\"39.0\""));
    mistakes.put("opt_out", MetaTestEvents.parse("\"false\""));
    for (var mistake : mistakes.entrySet()) {
      Answer answer = send(List.of(tampered(valid, mistake.getKey(), mistake.getValue())));
      assertThat(answer.status()).as(mistake.getKey()).isEqualTo(400);
      assertThat(answer.verdict()).as(mistake.getKey()).isInstanceOf(Verdict.Rejected.class);
    }
    assertThat(meta.accepted()).isEmpty();
    assertThat(send(List.of(valid)).verdict()).as(meta.lastError()).isEqualTo(Verdict.DELIVERED);
  }

  @Test
  void anEventWithNothingToMatchIsRefused() throws Exception {
    Mapped.Send valid = map(page());
    ObjectNode userAgentOnly = MetaTestEvents.parse("{\"client_user_agent\":\"Mozilla/5.0\"}").deepCopy();
    Answer answer = send(List.of(tampered(valid, "user_data", userAgentOnly)));
    assertThat(answer.status()).isEqualTo(400);
    assertThat(meta.lastError()).contains("no customer information");
  }

  @Test
  void atMostAThousandEventsPerRequest() throws Exception {
    Mapped.Send one = map(page());
    assertThat(send(Collections.nCopies(1000, one)).verdict()).as(meta.lastError()).isEqualTo(Verdict.DELIVERED);
    assertThat(send(Collections.nCopies(1001, one)).verdict()).isInstanceOf(Verdict.Rejected.class);
    assertThat(meta.lastError()).contains("1001");
  }

  @Test
  void sameEventNameAndEventIdCountOnce() throws Exception {
    // The site passed its order id to the pixel and to Trackside; a retry sends the event again.
    var order = track("Order Completed").properties("{\"revenue\":10,\"currency\":\"EUR\",\"event_id\":\"T-7\"}");
    Mapped.Send first = map(order);
    assertThat(send(List.of(first)).verdict()).isEqualTo(Verdict.DELIVERED);
    assertThat(send(List.of(first, map(page()))).verdict()).isEqualTo(Verdict.DELIVERED);
    assertThat(meta.duplicates()).isEqualTo(1);
    assertThat(meta.accepted()).extracting(e -> e.get("event_name").asText()).containsExactly("Purchase", "PageView");
    assertThat(meta.acceptedById("T-7").get("event_name").asText()).isEqualTo("Purchase");

    // Without a site id the event's own id still makes a resent copy count once.
    var event = page().build();
    Mapped.Send a = (Mapped.Send) destination.map(event);
    Mapped.Send b = (Mapped.Send) destination.map(event);
    send(List.of(a));
    send(List.of(b));
    assertThat(meta.duplicates()).isEqualTo(2);
  }

  @Test
  void theTestEventCodeTravelsInTheBody() throws Exception {
    var config = MetaTestEvents.config("{\"pixel-id\":\"" + PIXEL + "\",\"access-token\":\"" + TOKEN
        + "\",\"base-url\":\"" + meta.baseUrl() + "/\",\"test-event-code\":\"TEST4242\"}", Map.of());
    var testing = new MetaDestination(config, CLOCK);
    Mapped.Send event = (Mapped.Send) testing.map(page().build());
    assertThat(send(testing, List.of(event)).verdict()).isEqualTo(Verdict.DELIVERED);
    assertThat(meta.testEventCodes()).containsExactly("TEST4242");
  }

  @Test
  void aWrongTokenOrPixelWaitsForTheOperator() throws Exception {
    Mapped.Send event = map(page());
    var wrongToken = new MetaDestination(MetaTestEvents.config("{\"pixel-id\":\"" + PIXEL
        + "\",\"access-token\":\"expired\",\"base-url\":\"" + meta.baseUrl() + "\"}", Map.of()), CLOCK);
    Answer answer = send(wrongToken, List.of(event));
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.verdict()).isInstanceOf(Verdict.Retry.class);
    assertThat(((Verdict.Retry) answer.verdict()).reason()).contains("code=190");

    var wrongPixel = new MetaDestination(MetaTestEvents.config("{\"pixel-id\":\"999\",\"access-token\":\"" + TOKEN
        + "\",\"base-url\":\"" + meta.baseUrl() + "\"}", Map.of()), CLOCK);
    assertThat(send(wrongPixel, List.of(event)).verdict()).isInstanceOf(Verdict.Retry.class);
    assertThat(meta.accepted()).isEmpty();
  }

  @Test
  void aTransientErrorIsRetried() throws Exception {
    meta.failNext("{\"message\":\"An unexpected error has occurred. Please retry your request later.\","
        + "\"type\":\"OAuthException\",\"is_transient\":true,\"code\":2,\"fbtrace_id\":\"Ax1\"}");
    Answer answer = send(List.of(map(page())));
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.verdict()).isInstanceOf(Verdict.Retry.class);
    meta.failNext("{\"message\":\"(#17) User request limit reached\",\"type\":\"OAuthException\","
        + "\"code\":17,\"fbtrace_id\":\"Ax2\"}");
    assertThat(send(List.of(map(page()))).verdict()).isInstanceOf(Verdict.Retry.class);
    assertThat(send(List.of(map(page()))).verdict()).isEqualTo(Verdict.DELIVERED);
  }
}
