package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.core.EnrichedEvent;
import org.junit.jupiter.api.Test;

class UrlHygieneTest {

  private final UrlCleaner cleaner = new UrlCleaner(UrlHygiene.DEFAULT_SCRUB_PARAMS);

  @Test
  void schemeAndHostAreLowerCasedDefaultPortsAndFragmentsDropped() {
    assertThat(cleaner.clean("HTTPS://Shop.Example.COM:443/Products/Blue-Shoes?Color=Blue#reviews"))
        .isEqualTo("https://shop.example.com/Products/Blue-Shoes?Color=Blue");
    assertThat(cleaner.clean("http://shop.example:80")).isEqualTo("http://shop.example/");
    assertThat(cleaner.clean("https://shop.example:8443/a")).isEqualTo("https://shop.example:8443/a");
    assertThat(cleaner.clean("http://shop.example:443/a")).isEqualTo("http://shop.example:443/a");
    assertThat(cleaner.clean("https://shop.example/?")).isEqualTo("https://shop.example/");
    assertThat(cleaner.clean("http://[2001:DB8::1]:80/x")).isEqualTo("http://[2001:db8::1]/x");
    assertThat(cleaner.clean("https://user:secret@shop.example/a")).isEqualTo("https://shop.example/a");
    assertThat(cleaner.clean("  https://shop.example/a  ")).isEqualTo("https://shop.example/a");
  }

  @Test
  void personalDataInTheQueryIsRedactedAndCampaignParametersKept() {
    assertThat(cleaner.clean("https://shop.example/account/reset?email=jane.doe%40example.com&token=eyJhbGciOi"
        + "&utm_source=newsletter&utm_medium=email&gclid=Cj0KCQjw&Session=abc#top"))
        .isEqualTo("https://shop.example/account/reset?email=[redacted]&token=[redacted]"
            + "&utm_source=newsletter&utm_medium=email&gclid=Cj0KCQjw&Session=[redacted]");
    // An e-mail address in any parameter, encoded or not; the name does not matter.
    assertThat(cleaner.clean("https://shop.example/?ref=jane@example.com&utm_content=Jane.Doe%40Example.org&q=shoes"))
        .isEqualTo("https://shop.example/?ref=[redacted]&utm_content=[redacted]&q=shoes");
    assertThat(cleaner.clean("https://shop.example/?e%2Dmail=x&PASSWORD=hunter2&debug&q=a+b"))
        .isEqualTo("https://shop.example/?e%2Dmail=[redacted]&PASSWORD=[redacted]&debug&q=a+b");
    // The OAuth implicit flow puts tokens in the fragment: dropped with it.
    assertThat(cleaner.clean("https://app.example/callback#access_token=ya29.a0Af&expires_in=3599"))
        .isEqualTo("https://app.example/callback");
  }

  @Test
  void emailsInThePathAndSessionIdsInMatrixParametersAreRedacted() {
    assertThat(cleaner.clean("https://shop.example/unsubscribe/jane.doe@example.com/confirm"))
        .isEqualTo("https://shop.example/unsubscribe/[redacted]/confirm");
    assertThat(cleaner.clean("https://shop.example/u/jane%40example.com"))
        .isEqualTo("https://shop.example/u/[redacted]");
    assertThat(cleaner.clean("https://shop.example/cart;jsessionid=0A1B2C3D4E?step=2"))
        .isEqualTo("https://shop.example/cart;jsessionid=[redacted]?step=2");
    assertThat(cleaner.cleanPath("/a;v=1/b")).isEqualTo("/a;v=1/b");
    assertThat(cleaner.clean("https://shop.example/%E2%82%AC/100%")).isEqualTo("https://shop.example/%E2%82%AC/100%");
  }

  @Test
  void scriptSchemesAreNotPages() {
    assertThat(cleaner.clean("javascript:alert(document.cookie)")).isNull();
    assertThat(cleaner.clean(" JavaScript:void(0)")).isNull();
    assertThat(cleaner.clean("java\tscript:alert(1)")).isNull();
    assertThat(cleaner.clean("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")).isNull();
    assertThat(cleaner.clean("vbscript:msgbox")).isNull();
    assertThat(cleaner.clean("")).isNull();
  }

  @Test
  void otherSchemesAndRelativeUrlsAreKeptButScrubbed() {
    assertThat(cleaner.clean("android-app://com.google.android.gm/")).isEqualTo("android-app://com.google.android.gm/");
    assertThat(cleaner.clean("Android-App://com.google.android.googlequicksearchbox/https/www.google.com"))
        .isEqualTo("android-app://com.google.android.googlequicksearchbox/https/www.google.com");
    assertThat(cleaner.clean("mailto:jane@example.com?subject=Hi")).isEqualTo("mailto:[redacted]?subject=Hi");
    assertThat(cleaner.clean("/checkout?email=jane@example.com#pay")).isEqualTo("/checkout?email=[redacted]");
    assertThat(cleaner.clean("about:blank")).isEqualTo("about:blank");
  }

  @Test
  void hostileInputCostsLinearTimeAndNeverThrows() {
    String longUrl = "https://shop.example/" + "a".repeat(5_000) + "?" + "x=%zz&".repeat(1_000) + "email=%E0%A4%A";
    String cleaned = cleaner.clean(longUrl);
    assertThat(cleaned).startsWith("https://shop.example/aaaa").endsWith("x=%zz&email=[redacted]");
    assertThat(cleaned).hasSize(longUrl.length() - "%E0%A4%A".length() + "[redacted]".length());
    String manyAts = "https://x.example/?q=" + "@".repeat(10_000);
    assertThat(cleaner.clean(manyAts)).isEqualTo(manyAts);
    String localPartOnly = "https://x.example/?q=" + "a".repeat(10_000) + "@" + "b".repeat(10_000);
    assertThat(cleaner.clean(localPartOnly)).isEqualTo(localPartOnly);
    for (String odd : new String[] {"://", "http://", "https://@", "http://:80", "?", "#", "%", "https://[::1",
        "\u0000\u0001", "h\u00e9llo://w\u00f6rld/\uD83D\uDE00?\uD800=1", "x:" + "y".repeat(100)}) {
      cleaner.clean(odd);
      cleaner.cleanSearch(odd);
      cleaner.cleanPath(odd);
    }
    assertThat(cleaner.clean("http://:80")).isEqualTo("http:///");
  }

  @Test
  void titleAndSearchAreScrubbedAndTheRawValuesDoNotSurviveInTheJson() {
    String url = "https://Shop.Example/welcome?email=jane%40example.com&utm_source=newsletter#top";
    String json = "{\"type\":\"page\",\"anonymousId\":\"a1\",\"messageId\":\"m1\","
        + "\"properties\":{\"url\":\"" + url + "\",\"title\":\"Welcome back jane@example.com!\",\"path\":\"/welcome\"},"
        + "\"context\":{\"page\":{\"url\":\"" + url + "\",\"referrer\":\"javascript:alert(1)\","
        + "\"search\":\"?email=jane%40example.com&utm_source=newsletter\",\"title\":\"Welcome back jane@example.com!\","
        + "\"path\":\"/welcome\"}}}";
    EnrichedEvent e = PipelineFixtures.run(json, new PageFields(), new UrlHygiene(UrlHygiene.DEFAULT_SCRUB_PARAMS));

    String clean = "https://shop.example/welcome?email=[redacted]&utm_source=newsletter";
    assertThat(e.pageUrl).isEqualTo(clean);
    assertThat(e.pageHost).isEqualTo("shop.example");
    assertThat(e.pagePath).isEqualTo("/welcome");
    assertThat(e.pageReferrer).isNull();
    assertThat(e.pageSearch).isEqualTo("?email=[redacted]&utm_source=newsletter");
    assertThat(e.pageTitle).isEqualTo("Welcome back [redacted]!");
    String stored = e.event().context().toString() + e.event().properties();
    assertThat(stored).doesNotContain("jane").doesNotContain("javascript").doesNotContain("#top");
    assertThat(e.event().context().path("page").path("url").asText()).isEqualTo(clean);
    assertThat(e.event().properties().path("url").asText()).isEqualTo(clean);
    assertThat(e.event().context().path("page").has("referrer")).isFalse();
  }

  @Test
  void anOperatorsListReplacesTheDefaults() {
    UrlCleaner custom = new UrlCleaner(new AttributionConfig(java.util.Set.of("Coupon"), ReferrerTable.builtIn()).scrubParams());
    assertThat(custom.clean("https://s.example/?coupon=SAVE10&token=abc&e=jane@example.com"))
        .isEqualTo("https://s.example/?coupon=[redacted]&token=abc&e=[redacted]");
  }

  @Test
  void theFastPathForCleanUrlsAgreesWithTheFullCleaning() {
    String[] hosts = {"https://shop.example", "http://Shop.example", "https://shop.example:443", "https://u@shop.example",
        "https://shop.example:8080", "http://[::1]", ""};
    String[] paths = {"", "/", "/p/Blue-Shoes", "/u/jane@example.com", "/u/jane%40example.com", "/a;jsessionid=1", "/%E2%82%AC",
        "/a b"};
    String[] queries = {"", "?", "?q=shoes", "?utm_source=google&utm_medium=cpc&gclid=Cj0_w", "?Email=x", "?e%2Dmail=x",
        "?token", "?x=jane%40example.com", "?x=a@b.co", "?a+b=1", "?x=%zz", "?TOKEN=1&y=2", "?q=a+b&&", "?x=1%40"};
    String[] fragments = {"", "#top", "#access_token=abc"};
    int agreed = 0;
    for (String host : hosts) {
      for (String path : paths) {
        for (String query : queries) {
          for (String fragment : fragments) {
            for (String pad : new String[] {"", " "}) {
              String url = host + path + query + fragment + pad;
              assertThat(cleaner.clean(url)).as(url).isEqualTo(cleaner.cleanFully(url));
              agreed++;
            }
          }
        }
      }
    }
    assertThat(agreed).isEqualTo(7 * 8 * 14 * 3 * 2);
    String clean = "https://shop.example/p/blue?utm_source=google&gclid=Cj0";
    assertThat(cleaner.clean(clean)).isSameAs(clean); // nothing to do, nothing allocated
  }
}
