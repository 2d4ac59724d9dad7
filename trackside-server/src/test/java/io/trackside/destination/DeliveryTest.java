package io.trackside.destination;

import static io.trackside.destination.DeliveryFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery engine against real HTTP receivers with injected faults: every event ends
 * delivered exactly once or dead-lettered with a reason, and one failing destination never holds
 * up another.
 */
class DeliveryTest {
  private static final Set<String> ALL = Set.of("analytics", "advertising");

  @TempDir
  Path dir;

  private static String webhook(String id, String url, String extra) {
    return """
        - id: %s
          type: webhook
          url: %s
          secret: s3cret
          linger: 20ms
          max-events: 25
          timeout: 1s
        %s
        """.formatted(id, url, extra.indent(2));
  }

  @Test
  void retriesServerErrorsRateLimitsAndTimeoutsUntilEveryEventArrivesOnce() throws Exception {
    try (DeliveryFixture f = new DeliveryFixture(dir); WebhookStandIn hook = new WebhookStandIn(0, "s3cret")) {
      // Request 1 → 500, 2 → 429 with Retry-After: 1, 3 → hangs past the 1 s timeout (not processed), then fine.
      hook.behaviour = (n, batch) -> switch (n) {
        case 1 -> WebhookStandIn.Reply.status(500);
        case 2 -> new WebhookStandIn.Reply(429, Map.of("Retry-After", "1"), 0, false);
        case 3 -> new WebhookStandIn.Reply(200, Map.of(), 2_500, false);
        default -> WebhookStandIn.Reply.ok();
      };
      DeliveryService service = f.start(webhook("hook", hook.url(), ""));
      List<String> ids = f.append(300, "Order Completed", ALL, true, "{\"n\":$i}");

      await("all 300 delivered", Duration.ofSeconds(30), () -> hook.deliveries.size() == 300);
      assertEquals(new HashSet<>(ids), hook.deliveries.keySet());
      assertEquals(0, hook.duplicates(), "an event was delivered twice");
      assertEquals(0, hook.badSignatures.get());
      // The receiver counts before it answers; the sender counts once it has read the answer.
      await("300 counted as delivered", Duration.ofSeconds(5), () -> (Long) describe(service, "hook").get("delivered") == 300);
      Map<String, Object> state = describe(service, "hook");
      assertTrue((Long) state.get("failedAttempts") >= 3, "the three faults count as failed attempts: " + state);
      await("position committed", Duration.ofSeconds(5), () -> (Long) describe(service, "hook").get("lag") == 0);
    }
  }

  @Test
  void aDeadDestinationDoesNotDelayAnotherAndCatchesUpWhenItReturns() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort(); // nothing listens here: connections are refused
    }
    try (DeliveryFixture f = new DeliveryFixture(dir); WebhookStandIn live = new WebhookStandIn(0, "s3cret")) {
      DeliveryService service = f.start(webhook("live", live.url(), "")
          + webhook("down", "http://127.0.0.1:" + deadPort + "/hook", ""));
      List<String> ids = f.append(500, "Product Viewed", ALL, true, "{}");

      await("live destination delivers everything", Duration.ofSeconds(20), () -> live.deliveries.size() == 500);
      Map<String, Object> down = describe(service, "down");
      assertEquals(500L, down.get("lag"), "the dead destination keeps its events waiting: " + down);
      assertEquals(0L, down.get("delivered"));
      assertTrue(String.valueOf(down.get("lastError")).contains("connection failed"), down.toString());
      await("circuit opens", Duration.ofSeconds(20), () -> "circuit_open".equals(describe(service, "down").get("state")));

      try (WebhookStandIn back = new WebhookStandIn(deadPort, "s3cret")) {
        await("the returned destination catches up", Duration.ofSeconds(60), () -> back.deliveries.size() == 500);
        assertEquals(new HashSet<>(ids), back.deliveries.keySet());
        assertEquals(0, back.duplicates());
      }
      assertEquals(0, live.duplicates());
    }
  }

  @Test
  void aRefusedEventIsIsolatedAndDeadLetteredAndReplayedOnceFixed() throws Exception {
    try (DeliveryFixture f = new DeliveryFixture(dir); WebhookStandIn hook = new WebhookStandIn(0, "s3cret")) {
      // Like Meta: one bad event makes the whole request fail with a 400.
      hook.behaviour = (n, batch) -> {
        for (JsonNode e : batch.path("batch")) {
          if (e.path("properties").path("n").asInt() % 40 == 7) {
            return WebhookStandIn.Reply.status(400);
          }
        }
        return WebhookStandIn.Reply.ok();
      };
      DeliveryService service = f.start(webhook("hook", hook.url(), ""));
      List<String> ids = f.append(200, "Order Completed", ALL, true, "{\"n\":$i}");

      await("195 delivered", Duration.ofSeconds(20), () -> hook.deliveries.size() == 195);
      await("5 dead letters", Duration.ofSeconds(10),
          () -> ((Map<?, ?>) describe(service, "hook").get("deadLettersPending")).equals(Map.of("rejected", 5L)));
      List<Map<String, Object>> letters = service.deadLetters("hook", 10);
      assertEquals(5, letters.size());
      for (Map<String, Object> letter : letters) {
        assertEquals(400, letter.get("status"));
        assertTrue(String.valueOf(letter.get("request")).startsWith("POST http://127.0.0.1:"), letter.toString());
        assertTrue(String.valueOf(letter.get("response")).contains("refused"), letter.toString());
        assertFalse(hook.deliveries.containsKey((String) letter.get("eventId")));
        // Kept from the decoded event, which the read window lets go once it is mapped.
        assertTrue(ids.contains((String) letter.get("eventId")), letter.toString());
        assertEquals(36, String.valueOf(letter.get("messageId")).length(), letter.toString());
        assertTrue(letter.get("eventTime") != null, letter.toString());
      }

      hook.behaviour = (n, batch) -> WebhookStandIn.Reply.ok(); // the receiver is fixed
      Map<String, Object> job = service.replay("hook", null, null);
      await("replay done", Duration.ofSeconds(20),
          () -> "done".equals(service.replayStatus("hook", (String) job.get("id")).orElseThrow().get("state")));
      Map<String, Object> status = service.replayStatus("hook", (String) job.get("id")).orElseThrow();
      assertEquals(5L, status.get("delivered"), status.toString());
      assertEquals(new HashSet<>(ids), hook.deliveries.keySet());
      assertEquals(0, hook.duplicates());
      assertEquals(Map.of(), describe(service, "hook").get("deadLettersPending"));
    }
  }

  @Test
  void consentFiltersAndErasureAreCountedNotSent() throws Exception {
    try (DeliveryFixture f = new DeliveryFixture(dir); WebhookStandIn hook = new WebhookStandIn(0, "s3cret")) {
      DeliveryService service = f.start(webhook("ads", hook.url(), """
          consent: [advertising]
          filter:
            exclude-events: [Internal Ping]
          """));
      List<String> sent = f.append(10, "Order Completed", Set.of("advertising"), true, "{}");
      f.append(7, "Order Completed", Set.of("analytics"), true, "{}");
      f.append(5, "Order Completed", Set.of(), false, "{}");
      f.append(3, "Internal Ping", Set.of("advertising"), true, "{}");

      await("settled", Duration.ofSeconds(10), () -> (Long) describe(service, "ads").get("lag") == 0);
      assertEquals(new HashSet<>(sent), hook.deliveries.keySet());
      assertEquals(Map.of("event_filter", 3L, "no_consent", 7L, "no_consent_signal", 5L),
          describe(service, "ads").get("filtered"));
    }
  }

  @Test
  void unknownConsentCanBeGrantedByTheOperator() throws Exception {
    try (DeliveryFixture f = new DeliveryFixture(dir); WebhookStandIn hook = new WebhookStandIn(0, "s3cret")) {
      DeliveryService service = f.start(webhook("hook", hook.url(), "consent: [analytics]\nunknown-consent: grant"));
      f.append(4, "Signed Up", Set.of(), false, "{}");
      f.append(3, "Signed Up", Set.of("advertising"), true, "{}"); // a known refusal of analytics stays a refusal
      await("settled", Duration.ofSeconds(10), () -> (Long) describe(service, "hook").get("lag") == 0);
      assertEquals(4, hook.deliveries.size());
      assertEquals(Map.of("no_consent", 3L), describe(service, "hook").get("filtered"));
    }
  }

  @Test
  void aRestartInTheMiddleDeliversEveryEventExactlyOnce() throws Exception {
    try (WebhookStandIn hook = new WebhookStandIn(0, "s3cret")) {
      hook.behaviour = (n, batch) -> new WebhookStandIn.Reply(200, Map.of(), 30, true);
      List<String> ids;
      try (DeliveryFixture f = new DeliveryFixture(dir)) {
        DeliveryService first = f.start(webhook("hook", hook.url(), "concurrency: 2"));
        ids = f.append(2_000, "Product Viewed", ALL, true, "{}");
        await("some delivered", Duration.ofSeconds(20), () -> hook.deliveries.size() >= 200);
        first.stop(Duration.ofSeconds(10));
      }
      assertTrue(hook.deliveries.size() < 2_000, "the restart should come in the middle");
      try (DeliveryFixture f = new DeliveryFixture(dir)) {
        f.start(webhook("hook", hook.url(), "concurrency: 2"));
        await("the rest delivered", Duration.ofSeconds(60), () -> hook.deliveries.size() == 2_000);
      }
      assertEquals(new HashSet<>(ids), hook.deliveries.keySet());
      assertEquals(0, hook.duplicates(), "a graceful restart sends nothing twice");
    }
  }

  @Test
  void pausedEventsWaitAndThePauseSurvivesARestart() throws Exception {
    try (WebhookStandIn hook = new WebhookStandIn(0, "s3cret")) {
      try (DeliveryFixture f = new DeliveryFixture(dir)) {
        DeliveryService service = f.start(webhook("hook", hook.url(), ""));
        service.pause("hook");
        f.append(50, "Product Viewed", ALL, true, "{}");
        Thread.sleep(700);
        assertEquals(0, hook.deliveries.size());
        assertEquals("paused", describe(service, "hook").get("state"));
        assertEquals(50L, describe(service, "hook").get("lag"));
      }
      assertTrue(Files.exists(dir.resolve("destinations/hook.paused")));
      try (DeliveryFixture f = new DeliveryFixture(dir)) {
        DeliveryService service = f.start(webhook("hook", hook.url(), ""));
        Thread.sleep(500);
        assertEquals(0, hook.deliveries.size(), "still paused after the restart");
        service.resume("hook");
        await("delivered after resume", Duration.ofSeconds(10), () -> hook.deliveries.size() == 50);
      }
    }
  }

  @Test
  void aTimeRangeReplayResendsWhatTheLogStillHolds() throws Exception {
    try (DeliveryFixture f = new DeliveryFixture(dir); WebhookStandIn hook = new WebhookStandIn(0, "s3cret")) {
      DeliveryService service = f.start(webhook("hook", hook.url(), ""));
      java.time.Instant before = java.time.Instant.now().minusSeconds(1);
      List<String> ids = f.append(120, "Product Viewed", ALL, true, "{}");
      await("delivered once", Duration.ofSeconds(10), () -> hook.deliveries.size() == 120);
      java.time.Instant after = java.time.Instant.now().plusSeconds(1);

      Map<String, Object> job = service.replay("hook", before, after);
      await("replay done", Duration.ofSeconds(20),
          () -> "done".equals(service.replayStatus("hook", (String) job.get("id")).orElseThrow().get("state")));
      Map<String, Object> status = service.replayStatus("hook", (String) job.get("id")).orElseThrow();
      assertEquals(120L, status.get("delivered"), status.toString());
      assertEquals(120L, status.get("scanned"), status.toString());
      for (String id : ids) {
        assertEquals(2, hook.deliveries.get(id).get(), "sent again, with the same event id: " + id);
      }
      // A range with nothing in it sends nothing.
      Map<String, Object> empty = service.replay("hook", after, after.plusSeconds(60));
      await("empty replay done", Duration.ofSeconds(20),
          () -> "done".equals(service.replayStatus("hook", (String) empty.get("id")).orElseThrow().get("state")));
      assertEquals(0L, service.replayStatus("hook", (String) empty.get("id")).orElseThrow().get("delivered"));
    }
  }

  private static Map<String, Object> describe(DeliveryService service, String id) {
    try {
      return service.describe(id).orElseThrow();
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }
}
