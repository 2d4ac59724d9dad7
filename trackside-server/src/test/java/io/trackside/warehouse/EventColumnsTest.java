package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EventColumnsTest {

  @Test
  void pathComesFromTheUrl() {
    assertThat(EventColumns.pathOf("https://shop.example/a/b?x=1#top")).isEqualTo("/a/b");
    assertThat(EventColumns.pathOf("https://shop.example")).isEqualTo("/");
    assertThat(EventColumns.pathOf("https://shop.example?utm_source=x")).isEqualTo("/");
    assertThat(EventColumns.pathOf("/cart?step=2")).isEqualTo("/cart");
    assertThat(EventColumns.pathOf("not a url")).isNull();
    assertThat(EventColumns.pathOf(null)).isNull();
  }

  @Test
  void utmParametersAreDecoded() {
    Map<String, String> params = EventColumns.queryParameters(
        "https://shop.example/?utm_source=news%20letter&utm_medium=email&x=1&utm_campaign=spring+sale"
            + "&utm_source=second&utm_term=%zz#utm_content=ignored");

    assertThat(params).containsOnly(
        Map.entry("utm_source", "news letter"),
        Map.entry("utm_medium", "email"),
        Map.entry("utm_campaign", "spring sale"),
        Map.entry("utm_term", "%zz"));
  }
}
