package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Segment events over real HTTP, enriched by the real analyzer, read back from DuckDB through the API. */
class UserAgentEndToEndTest {

  static final String CHROME_WINDOWS =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36";
  static final String SAFARI_IPHONE =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1";
  static final String GOOGLEBOT_SMARTPHONE =
      "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.7204.183 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

  @TempDir
  Path dir;

  private static String page(String messageId, String anonymousId, String userAgent) {
    return """
        {"type":"page","name":"Home","messageId":"%s","anonymousId":"%s",
         "context":{"userAgent":"%s","page":{"url":"https://shop.example/"},
           "userAgentData":{"brands":[{"brand":"Google Chrome","version":"137"},{"brand":"Chromium","version":"137"}],
                            "mobile":false,"platform":"Windows"}},
         "timestamp":"2026-11-28T10:00:00.000Z","sentAt":"2026-11-28T10:00:00.100Z"}"""
        .formatted(messageId, anonymousId, userAgent);
  }

  private static JsonNode row(JsonNode events, String messageId) {
    for (JsonNode e : events) {
      if (messageId.equals(e.path("message_id").asText())) {
        return e;
      }
    }
    return null;
  }

  @Test
  void aChromePageViewIsStoredWithBrowserOsAndDeviceClassAndACrawlerIsFlagged() throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      String chrome = UUID.randomUUID().toString();
      String googlebot = UUID.randomUUID().toString();
      assertThat(node.post("/v1/page", page(chrome, "visitor-1", CHROME_WINDOWS)).statusCode()).isEqualTo(200);
      assertThat(node.post("/v1/page", page(googlebot, "visitor-2", GOOGLEBOT_SMARTPHONE)).statusCode()).isEqualTo(200);
      // No context.userAgent: the browser's own header is the user agent.
      String safari = UUID.randomUUID().toString();
      HttpRequest fromSafari = HttpRequest.newBuilder(URI.create(node.url("/v1/t")))
          .header("User-Agent", SAFARI_IPHONE).header("Content-Type", "text/plain")
          .POST(HttpRequest.BodyPublishers.ofString("""
              {"writeKey":"%s","type":"track","event":"Added To Cart","messageId":"%s","anonymousId":"visitor-3"}"""
              .formatted(TestNode.WRITE_KEY, safari))).build();
      assertThat(node.send(fromSafari).statusCode()).isEqualTo(200);

      // The first events wait for the analyzer's warm-up in the worker: allow for it.
      JsonNode events = node.eventsUntil("?limit=100",
          e -> row(e, chrome) != null && row(e, googlebot) != null && row(e, safari) != null);

      JsonNode human = row(events, chrome);
      assertThat(human).as("the Chrome page view").isNotNull();
      assertThat(human.path("user_agent").asText()).isEqualTo(CHROME_WINDOWS);
      assertThat(human.path("browser").asText()).isEqualTo("Chrome");
      assertThat(human.path("browser_version").asText()).isEqualTo("137");
      assertThat(human.path("os").asText()).isEqualTo("Windows");
      assertThat(human.path("device_class").asText()).isEqualTo("desktop");
      assertThat(human.path("is_bot").asBoolean()).isFalse();
      assertThat(human.path("bot_reason").isNull()).isTrue();

      JsonNode crawler = row(events, googlebot);
      assertThat(crawler.path("browser").asText()).isEqualTo("Googlebot");
      assertThat(crawler.path("device_class").asText()).isEqualTo("robot");
      assertThat(crawler.path("is_bot").asBoolean()).isTrue();
      assertThat(crawler.path("bot_reason").asText()).isEqualTo("user_agent");

      JsonNode phone = row(events, safari);
      assertThat(phone.path("user_agent").asText()).isEqualTo(SAFARI_IPHONE);
      assertThat(phone.path("browser").asText()).isEqualTo("Safari");
      assertThat(phone.path("os").asText()).isEqualTo("iOS");
      assertThat(phone.path("os_version").asText()).isEqualTo("18.5");
      assertThat(phone.path("device_class").asText()).isEqualTo("phone");
    }
  }

  @Test
  void withBotsDropTheCrawlerIsNotStoredButCounted() throws Exception {
    try (TestNode node = TestNode.start(dir, Map.of("bots.drop", "true"))) {
      String bot = UUID.randomUUID().toString();
      String human = UUID.randomUUID().toString();
      // Same visitor, so same log partition and worker: the human's row proves the bot's event was processed.
      assertThat(node.post("/v1/page", page(bot, "visitor-1", GOOGLEBOT_SMARTPHONE)).statusCode()).isEqualTo(200);
      assertThat(node.post("/v1/page", page(human, "visitor-1", CHROME_WINDOWS)).statusCode()).isEqualTo(200);

      JsonNode events = node.eventsUntil("?limit=100", e -> row(e, human) != null);

      assertThat(row(events, human)).isNotNull();
      assertThat(row(events, bot)).isNull();
      String metrics = node.send(HttpRequest.newBuilder(URI.create(node.url("/metrics"))).GET().build()).body();
      assertThat(metrics).contains("trackside_pipeline_dropped_total{reason=\"bot\"} 1.0");
    }
  }
}
