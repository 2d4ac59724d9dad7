package io.trackside.pipeline;

import static io.trackside.pipeline.PipelineEvents.CHROME_WINDOWS;
import static io.trackside.pipeline.PipelineEvents.FIREFOX_LINUX;
import static io.trackside.pipeline.PipelineEvents.SAFARI_IPHONE;
import static io.trackside.pipeline.PipelineEvents.cookielessPage;
import static io.trackside.pipeline.PipelineEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.core.EnrichedEvent;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class VisitorIdsTest {

  private static final Instant NOW = Instant.parse("2025-06-02T14:05:00Z");
  private final MutableClock clock = new MutableClock(NOW);
  private final DailySalts salts = DailySalts.inMemory(ZoneOffset.UTC, clock);
  private final VisitorIds step = new VisitorIds(salts, true);

  private EnrichedEvent apply(VisitorIds ids, String source, String json, String ip, String ua) {
    EnrichedEvent e = new EnrichedEvent(event(source, json, NOW, ip, ua));
    new DeviceFields(null).apply(e);
    ids.apply(e);
    return e;
  }

  private String cookielessId(String source, String ip, String ua) {
    return apply(step, source, cookielessPage("https://shop.example/cart", NOW), ip, ua).visitorId;
  }

  @Test
  void idsWinOverTheCookielessIdAnonymousIdFirst() {
    assertThat(apply(step, "web", "{\"type\":\"page\",\"anonymousId\":\"a-1\",\"userId\":\"u-1\","
        + "\"context\":{\"trackside\":{\"cookieless\":true}}}", "198.51.100.7", CHROME_WINDOWS).visitorId).isEqualTo("a-1");
    assertThat(apply(step, "web", "{\"type\":\"identify\",\"userId\":\"u-1\"}", "198.51.100.7", CHROME_WINDOWS).visitorId)
        .isEqualTo("u-1");
  }

  @Test
  void theCookielessIdIsAStableHashOfSourceAddressAndBrowser() {
    String id = cookielessId("web", "198.51.100.7", CHROME_WINDOWS);
    assertThat(id).matches("[0-9a-f]{32}").doesNotContain("198.51.100.7").isEqualTo(cookielessId("web", "198.51.100.7", CHROME_WINDOWS));
    assertThat(cookielessId("web", "198.51.100.8", CHROME_WINDOWS)).isNotEqualTo(id);
    assertThat(cookielessId("web", "198.51.100.7", FIREFOX_LINUX)).isNotEqualTo(id);
    assertThat(cookielessId("shop-de", "198.51.100.7", CHROME_WINDOWS)).isNotEqualTo(id);
    // Two phones behind the same carrier NAT with the same browser build are one visitor (a known limit).
    assertThat(cookielessId("web", "2a02:3100:1::7", SAFARI_IPHONE)).isEqualTo(cookielessId("web", "2a02:3100:1::7", SAFARI_IPHONE));
  }

  @Test
  void theClientsOwnAddressAndUserAgentInTheContextCount() {
    String viaHeader = cookielessId("web", "203.0.113.9", FIREFOX_LINUX);
    String viaContext = apply(step, "web", """
        {"type":"page","timestamp":"%s","context":{"trackside":{"cookieless":true},
         "ip":"203.0.113.9","userAgent":"%s"}}""".formatted(NOW, FIREFOX_LINUX), "10.0.0.2", "node-fetch/1.0").visitorId;
    assertThat(viaContext).isEqualTo(viaHeader);
  }

  @Test
  void withTheCookielessModeOffSuchEventsAreQuarantinedNotGuessed() {
    EnrichedEvent e = apply(new VisitorIds(salts, false), "web", cookielessPage("https://shop.example/", NOW),
        "198.51.100.7", CHROME_WINDOWS);
    assertThat(e.visitorId).isNull();
    assertThat(e.quarantineReason()).isEqualTo("cookieless_off");
  }

  @Test
  void strangeInputGivesAnIdOrNothingButNeverAnError() {
    assertThat(cookielessId("web", null, null)).matches("[0-9a-f]{32}");
    assertThat(cookielessId("web", "not an ip", "\u0000\uD83D\uDE00".repeat(5000))).matches("[0-9a-f]{32}");
    // Without ids and without the marker (a record the collector never lets through): nothing.
    assertThat(apply(step, "web", "{\"type\":\"page\"}", "198.51.100.7", CHROME_WINDOWS).visitorId).isNull();
    assertThat(apply(step, "web", "{\"type\":\"page\",\"context\":{\"trackside\":{\"cookieless\":1}}}",
        "198.51.100.7", CHROME_WINDOWS).visitorId).isNull();
  }
}
