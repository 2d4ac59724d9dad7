package io.trackside.destination;

import static io.trackside.destination.DeliveryFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GA4 and Meta through the whole delivery engine, against stand-ins that check payloads as the
 * platforms do: Meta's refusal of a whole request for one bad event is isolated, GA4's age limit
 * dead-letters before sending, and both deliver every other event once.
 */
class PlatformDeliveryTest {
  private static final Set<String> ALL = Set.of("analytics", "advertising", "ad_user_data", "ad_personalization");

  @TempDir
  Path dir;

  @Test
  void metaRefusesWholeRequestsForOneBadEventAndTheEngineIsolatesIt() throws Exception {
    try (DeliveryFixture f = new DeliveryFixture(dir);
         MetaStandIn meta = MetaStandIn.start("v26.0", "4242", "token-1", Clock.systemUTC())) {
      DeliveryService service = f.start("""
          - id: meta
            type: meta
            pixel-id: "4242"
            access-token: token-1
            api-version: v26.0
            base-url: %s
            linger: 20ms
          """.formatted(meta.baseUrl()));
      List<String> good = f.append(57, "Order Completed", ALL, true,
          "{\"order_id\":\"o-$i\",\"revenue\":25.5,\"currency\":\"EUR\",\"products\":[{\"product_id\":\"p1\",\"price\":25.5}]}");
      f.append(3, "Order Completed", ALL, true, "{\"order_id\":\"bad-$i\",\"revenue\":9.0,\"currency\":\"XYZ\"}");
      f.append(5, "Order Completed", Set.of("analytics"), true, "{\"revenue\":1,\"currency\":\"EUR\"}");

      await("57 accepted by Meta", Duration.ofSeconds(20), () -> meta.accepted().size() == 57);
      await("settled", Duration.ofSeconds(10), () -> (Long) describe(service, "meta").get("lag") == 0);
      Set<String> ids = new HashSet<>();
      for (JsonNode event : meta.accepted()) {
        ids.add(event.path("event_id").asText());
        assertEquals("Purchase", event.path("event_name").asText());
        assertEquals("website", event.path("action_source").asText());
      }
      assertEquals(new HashSet<>(good), ids, "event_id is the stable event id");
      assertEquals(0, meta.duplicates());
      Map<String, Object> state = describe(service, "meta");
      assertEquals(Map.of("rejected", 3L), state.get("deadLettersPending"), state.toString());
      assertEquals(Map.of("no_consent", 5L), state.get("filtered"), "Meta needs advertising consent");
      for (Map<String, Object> letter : service.deadLetters("meta", 10)) {
        assertEquals(400, letter.get("status"));
        assertTrue(String.valueOf(letter.get("response")).contains("not a currency"), letter.toString());
        assertTrue(String.valueOf(letter.get("request")).contains("access_token=REDACTED"), "no secret in the store");
        assertTrue(!String.valueOf(letter.get("request")).contains("token-1"), letter.toString());
      }
    }
  }

  @Test
  void ga4DeadLettersEventsTooOldBeforeSendingAndDeliversTheRest() throws Exception {
    try (DeliveryFixture f = new DeliveryFixture(dir);
         Ga4StandIn ga = Ga4StandIn.start("G-TEST123", "secret-1", Clock.systemUTC())) {
      DeliveryService service = f.start("""
          - id: ga4
            type: ga4
            measurement-id: G-TEST123
            api-secret: secret-1
            base-url: %s
            linger: 20ms
          """.formatted(baseUrl(ga)));
      f.append(40, "Product Added", ALL, true, "{\"product_id\":\"p-$i\",\"price\":3.5,\"quantity\":1,\"currency\":\"EUR\"}");
      f.append(4, "Product Added", ALL, true, "{\"product_id\":\"old\",\"price\":1}", Instant.now().minus(Duration.ofHours(80)));

      await("settled", Duration.ofSeconds(20), () -> (Long) describe(service, "ga4").get("lag") == 0
          && (Long) describe(service, "ga4").get("delivered") == 40);
      long events = 0;
      for (Ga4StandIn.Received r : ga.received()) {
        assertTrue(r.credentialsOk(), "measurement id and secret sent");
        for (JsonNode event : r.body().path("events")) {
          assertEquals("add_to_cart", event.path("name").asText());
          events++;
        }
      }
      assertEquals(40, events);
      assertEquals(Map.of("too_old", 4L), describe(service, "ga4").get("deadLettersPending"));
    }
  }

  private static String baseUrl(Ga4StandIn ga) {
    return ga.baseUrl();
  }

  private static Map<String, Object> describe(DeliveryService service, String id) {
    try {
      return service.describe(id).orElseThrow();
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }
}
