package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.pipeline.GeoConfig;
import io.trackside.pipeline.TestGeoDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Geo and the hosting-network layer in a real node: Segment events over HTTP with the visitor's
 * address in context.ip, read back from DuckDB through /api/events — the place looked up from the
 * full address, the address itself stored truncated.
 */
class GeoEndToEndTest {

  @TempDir
  Path dir;

  private static JsonNode postAndRead(TestNode node, String contextIp) throws Exception {
    String messageId = UUID.randomUUID().toString();
    assertThat(node.post("/v1/track", """
        {"event":"Product Viewed","anonymousId":"visitor-geo","messageId":"%s",
         "context":{"ip":"%s","page":{"url":"https://shop.example/p/1"},
           "userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"}}
        """.formatted(messageId, contextIp)).statusCode()).isEqualTo(200);
    JsonNode events = node.eventsUntil("?limit=1000", e -> find(e, messageId) != null);
    JsonNode event = find(events, messageId);
    assertThat(event).as("event %s in /api/events", messageId).isNotNull();
    return event;
  }

  private static JsonNode find(JsonNode events, String messageId) {
    for (JsonNode e : events) {
      if (e.path("message_id").asText().equals(messageId)) {
        return e;
      }
    }
    return null;
  }

  @Test
  void countryRegionAndCityAreStoredWithTheTruncatedAddressAndCloudVisitorsAreFlagged() throws Exception {
    String city = TestGeoDatabases.requireSetting(TestGeoDatabases.CITY);
    String asn = TestGeoDatabases.requireSetting(TestGeoDatabases.ASN);
    try (TestNode node = TestNode.start(dir, Map.of(GeoConfig.DATABASE_SETTING, city, GeoConfig.ASN_DATABASE_SETTING, asn))) {
      JsonNode mannheim = postAndRead(node, "2003:e5:1f00:5d2:1c3e:9a4f:b1d2:7e01"); // Deutsche Telekom
      assertThat(mannheim.path("country").asText()).isEqualTo("DE");
      assertThat(mannheim.path("region").asText()).isEqualTo("Baden-Wurttemberg");
      assertThat(mannheim.path("city").asText()).isEqualTo("Mannheim");
      assertThat(mannheim.path("ip").asText()).isEqualTo("2003:e5:1f00::");
      assertThat(mannheim.toString()).doesNotContain("b1d2:7e01");
      assertThat(mannheim.path("is_bot").asBoolean()).isFalse();
      assertThat(mannheim.path("bot_reason").isNull()).isTrue();

      JsonNode kansas = postAndRead(node, "35.190.0.1"); // Google Cloud
      assertThat(kansas.path("country").asText()).isEqualTo("US");
      assertThat(kansas.path("city").asText()).isEqualTo("Kansas City");
      assertThat(kansas.path("ip").asText()).isEqualTo("35.190.0.0");
      assertThat(kansas.path("is_bot").asBoolean()).isTrue();
      assertThat(kansas.path("bot_reason").asText()).isEqualTo("hosting_network");

      JsonNode lan = postAndRead(node, "192.168.1.20");
      assertThat(lan.path("country").isNull()).isTrue();
      assertThat(lan.path("ip").asText()).isEqualTo("192.168.1.0");
    }
  }

  @Test
  void theCountryDatabaseThatGeoFetchPutsInTheDataDirectoryIsUsedWithoutASetting() throws Exception {
    Path country = TestGeoDatabases.require(TestGeoDatabases.COUNTRY).get(0);
    Path geoDir = Files.createDirectories(dir.resolve("data").resolve(GeoConfig.DEFAULT_DIR));
    Files.copy(country, geoDir.resolve(GeoConfig.DEFAULT_COUNTRY_FILE));
    try (TestNode node = TestNode.start(dir)) {
      assertThat(node.config.pipeline().geo().databases()).hasSize(1);
      JsonNode heise = postAndRead(node, "193.99.144.80");
      assertThat(heise.path("country").asText()).isEqualTo("DE");
      assertThat(heise.path("ip").asText()).isEqualTo("193.99.144.0");
      assertThat(heise.path("context").toString()).doesNotContain("193.99.144.80");
    }
  }
}
