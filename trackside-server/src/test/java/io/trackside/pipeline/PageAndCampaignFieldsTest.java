package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.core.EnrichedEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PageAndCampaignFieldsTest {

  @Test
  void pathComesFromTheUrl() {
    assertThat(PageFields.pathOf("https://shop.example/a/b?x=1#top")).isEqualTo("/a/b");
    assertThat(PageFields.pathOf("https://shop.example")).isEqualTo("/");
    assertThat(PageFields.pathOf("https://shop.example?utm_source=x")).isEqualTo("/");
    assertThat(PageFields.pathOf("/cart?step=2")).isEqualTo("/cart");
    assertThat(PageFields.pathOf("not a url")).isNull();
    assertThat(PageFields.pathOf(null)).isNull();
  }

  @Test
  void hostIsLowerCaseWithoutPortOrUserInfo() {
    assertThat(PageFields.hostOf("https://Shop.Example:8443/a")).isEqualTo("shop.example");
    assertThat(PageFields.hostOf("https://user:pw@shop.example?x")).isEqualTo("shop.example");
    assertThat(PageFields.hostOf("http://[2001:db8::1]:8080/")).isEqualTo("[2001:db8::1]");
    assertThat(PageFields.hostOf("/relative")).isNull();
  }

  @Test
  void utmParametersAreDecoded() {
    Map<String, String> params = CampaignFields.queryParameters(
        "https://shop.example/?utm_source=news%20letter&utm_medium=email&x=1&utm_campaign=spring+sale"
            + "&utm_source=second&utm_term=%zz#utm_content=ignored");

    assertThat(params).containsOnly(
        Map.entry("utm_source", "news letter"),
        Map.entry("utm_medium", "email"),
        Map.entry("utm_campaign", "spring sale"),
        Map.entry("utm_term", "%zz"));
  }

  @Test
  void clickIdsComeFromTheLandingUrlUnaltered() {
    // Real shapes: a Google Ads gclid, an iOS gbraid, a Meta fbclid (case matters), a Microsoft msclkid.
    String url = "https://shop.example/landing?utm_source=google&utm_medium=cpc&utm_campaign=spring"
        + "&gclid=Cj0KCQjwn_yxBhDpARIsAOZ1pR_sKJ1yZ9pK0mJ8aE3dT4XgH5Q8wQ3EalAw_wcB"
        + "&gbraid=0AAAAADkLdFz7pXpZ1kx9z&fbclid=IwAR2F4-dbP0l7Mn1IhRlyhz_YlY2pxhwXAm1OT1QDJ6lT6hgKfrqvlbKNSn8"
        + "&msclkid=1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d&other=1";
    EnrichedEvent e = PipelineFixtures.run(PipelineFixtures.page(url, "https://www.google.com/"),
        new PageFields(), new UrlHygiene(UrlHygiene.DEFAULT_SCRUB_PARAMS), new CampaignFields());

    assertThat(e.clickIds).containsExactly(
        Map.entry("gclid", "Cj0KCQjwn_yxBhDpARIsAOZ1pR_sKJ1yZ9pK0mJ8aE3dT4XgH5Q8wQ3EalAw_wcB"),
        Map.entry("gbraid", "0AAAAADkLdFz7pXpZ1kx9z"),
        Map.entry("msclkid", "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d"),
        Map.entry("fbclid", "IwAR2F4-dbP0l7Mn1IhRlyhz_YlY2pxhwXAm1OT1QDJ6lT6hgKfrqvlbKNSn8"));
    assertThat(e.utmSource).isEqualTo("google");
    assertThat(e.utmMedium).isEqualTo("cpc");
    assertThat(e.utmCampaign).isEqualTo("spring");
  }

  @Test
  void clickIdsAlsoComeFromContextCampaignAndReferrer() {
    String json = "{\"type\":\"track\",\"event\":\"Signed Up\",\"anonymousId\":\"a1\","
        + "\"context\":{\"campaign\":{\"source\":\"  tiktok  \",\"ttclid\":\"E.C.P.CqgBhJm1bW9\"},"
        + "\"referrer\":{\"li_fat_id\":\"5c5e1b4f-9d1a-4f0e-8c47-3a2d4c9e0b1f\",\"twclid\":\"has space\"},"
        + "\"page\":{\"url\":\"https://shop.example/?ttclid=fromUrl\"}}}";
    EnrichedEvent e = PipelineFixtures.run(json, new PageFields(), new CampaignFields());

    assertThat(e.clickIds).containsExactly(Map.entry("ttclid", "fromUrl"),
        Map.entry("li_fat_id", "5c5e1b4f-9d1a-4f0e-8c47-3a2d4c9e0b1f")); // the URL wins; a value with a space is no click id
    assertThat(e.utmSource).isEqualTo("tiktok");
  }

  @Test
  void campaignValuesAreTrimmedCappedAndFreeOfEmailAddresses() {
    assertThat(CampaignFields.clean("  spring sale  ")).isEqualTo("spring sale");
    assertThat(CampaignFields.clean("   ")).isNull();
    assertThat(CampaignFields.clean("x".repeat(10_000))).hasSize(CampaignFields.MAX_UTM_LENGTH);
    assertThat(CampaignFields.clean("\uD83D\uDE00".repeat(200))).hasSize(CampaignFields.MAX_UTM_LENGTH);
    assertThat(CampaignFields.clean("x" + "\uD83D\uDE00".repeat(200))).hasSize(CampaignFields.MAX_UTM_LENGTH - 1)
        .endsWith("\uD83D\uDE00"); // not half an emoji
    assertThat(CampaignFields.clean("recipient jane@example.com")).isEqualTo("recipient [redacted]");
    assertThat(CampaignFields.clickId("a".repeat(CampaignFields.MAX_CLICK_ID_LENGTH + 1))).isNull();
    assertThat(CampaignFields.clickId("<script>")).isNull();
    assertThat(CampaignFields.clickId("fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890")).isNotNull();
  }
}
