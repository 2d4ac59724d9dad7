package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

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
}
