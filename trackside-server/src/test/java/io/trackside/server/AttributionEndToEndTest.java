package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A visit as analytics.js sends it — a landing page from a Google Ads click with a consent
 * banner's answer, an identify with e-mail and phone, a second page reached by internal
 * navigation, and a visit from the operator's own partner domain — through real HTTP, the log,
 * the pipeline and DuckDB, read back from GET /api/events.
 */
class AttributionEndToEndTest {

  @TempDir
  Path dir;

  @Test
  void channelSourceClickIdsConsentAndHashedTraitsAreStored() throws Exception {
    Path referrers = dir.resolve("referrers.json");
    Files.writeString(referrers, "{\"partner-portal.example\": {\"source\": \"partner_portal\", \"channel\": \"affiliate\"}}");
    Files.writeString(dir.resolve("trackside.yml"), """
        privacy:
          pii:
            default: hash
            fields:
              traits.plan: keep
              traits.phone: drop
        enrichment:
          referrers:
            file: %s
        """.formatted(referrers));
    try (TestNode node = TestNode.start(dir, Map.of())) {
      HttpResponse<String> response = node.post("/v1/batch", """
          {"batch":[
            {"type":"page","messageId":"e2e-landing","anonymousId":"anon-7","name":"Blue shoes",
             "properties":{"url":"https://Shop.Example:443/p/blue-shoes?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=Cj0KCQjw_wcB&email=jane%%40example.com#reviews",
                           "referrer":"https://www.google.de/","title":"Blue shoes"},
             "context":{"page":{"url":"https://Shop.Example:443/p/blue-shoes?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=Cj0KCQjw_wcB&email=jane%%40example.com#reviews",
                                "referrer":"https://www.google.de/","title":"Blue shoes","path":"/p/blue-shoes"},
                        "consent":{"categoryPreferences":{"Analytics":true,"Advertising":true,"Functional":false},
                                   "ad_user_data":"granted","ad_personalization":"denied"}},
             "timestamp":"2026-11-28T10:00:00.000Z"},
            {"type":"identify","messageId":"e2e-identify","anonymousId":"anon-7","userId":"u-7",
             "traits":{"email":" Jane.Doe@Example.com ","phone":"+49 151 12345678","plan":"pro","mobile":"+1 650 555 1234"},
             "timestamp":"2026-11-28T10:00:10.000Z"},
            {"type":"page","messageId":"e2e-second","anonymousId":"anon-7","userId":"u-7",
             "context":{"page":{"url":"https://shop.example/cart","referrer":"https://shop.example/p/blue-shoes?utm_source=google"}},
             "timestamp":"2026-11-28T10:01:00.000Z"},
            {"type":"page","messageId":"e2e-partner","anonymousId":"anon-8",
             "context":{"page":{"url":"https://shop.example/","referrer":"https://www.partner-portal.example/deals"}},
             "timestamp":"2026-11-28T10:02:00.000Z"}
          ]}""");
      assertThat(response.statusCode()).isEqualTo(200);

      JsonNode events = node.eventsUntil("?limit=100", e -> e.size() >= 4);
      JsonNode landing = byId(events, "e2e-landing");
      assertThat(landing.get("channel").asText()).isEqualTo("paid_search");
      assertThat(landing.get("referrer_source").asText()).isEqualTo("google");
      assertThat(landing.get("referrer_host").asText()).isEqualTo("www.google.de");
      assertThat(landing.get("utm_campaign").asText()).isEqualTo("spring");
      assertThat(landing.get("click_ids").get("gclid").asText()).isEqualTo("Cj0KCQjw_wcB");
      String cleanUrl = "https://shop.example/p/blue-shoes?utm_source=google&utm_medium=cpc&utm_campaign=spring"
          + "&gclid=Cj0KCQjw_wcB&email=[redacted]";
      assertThat(landing.get("page_url").asText()).isEqualTo(cleanUrl);
      assertThat(landing.get("page_host").asText()).isEqualTo("shop.example");
      assertThat(landing.at("/context/page/url").asText()).isEqualTo(cleanUrl);
      assertThat(landing.at("/properties/url").asText()).isEqualTo(cleanUrl);
      assertThat(landing.toString()).doesNotContain("jane");
      assertThat(landing.get("consent").toString()).isEqualTo("[\"ad_user_data\",\"advertising\",\"analytics\"]");

      JsonNode identify = byId(events, "e2e-identify");
      // printf %s jane.doe@example.com | sha256sum
      assertThat(identify.at("/traits/email").asText())
          .isEqualTo("86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d");
      assertThat(identify.at("/traits").has("phone")).isFalse();
      assertThat(identify.at("/traits/plan").asText()).isEqualTo("pro");
      assertThat(identify.at("/traits/mobile").asText())
          .isEqualTo("6069d14bf122fdfd931dc7beb58e5dfbba395b1faf05bdcd42d12358d63d8599"); // printf %s 16505551234 | sha256sum
      assertThat(identify.get("consent").isNull()).isTrue(); // no signal: unknown, not refused
      assertThat(identify.get("channel").asText()).isEqualTo("direct");

      JsonNode second = byId(events, "e2e-second");
      assertThat(second.get("channel").asText()).isEqualTo("internal");
      assertThat(second.get("click_ids").isNull()).isTrue();

      JsonNode partner = byId(events, "e2e-partner");
      assertThat(partner.get("channel").asText()).isEqualTo("affiliate");
      assertThat(partner.get("referrer_source").asText()).isEqualTo("partner_portal");
    }
  }

  private static JsonNode byId(JsonNode events, String messageId) {
    for (JsonNode event : events) {
      if (messageId.equals(event.path("message_id").asText())) {
        return event;
      }
    }
    throw new AssertionError("no event " + messageId + " in " + events);
  }
}
