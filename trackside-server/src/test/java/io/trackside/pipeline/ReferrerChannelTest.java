package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackside.core.EnrichedEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferrerChannelTest {

  private static final String LANDING = "https://shop.example/p/blue-shoes";

  @TempDir
  Path dir;

  private static EnrichedEvent visit(String url, String referrer) {
    return visit(url, referrer, ReferrerTable.builtIn());
  }

  private static EnrichedEvent visit(String url, String referrer, ReferrerTable table) {
    return PipelineFixtures.run(PipelineFixtures.page(url, referrer), new PageFields(),
        new UrlHygiene(UrlHygiene.DEFAULT_SCRUB_PARAMS), new CampaignFields(), new ReferrerChannel(table));
  }

  private static void assertVisit(String url, String referrer, String channel, String source) {
    EnrichedEvent e = visit(url, referrer);
    assertThat(e.channel).as("channel of %s from %s", url, referrer).isEqualTo(channel);
    assertThat(e.referrerSource).as("source of %s from %s", url, referrer).isEqualTo(source);
  }

  @Test
  void searchEnginesIncludingCountryDomainsAreOrganicSearch() {
    assertVisit(LANDING, "https://www.google.com/", "organic_search", "google");
    assertVisit(LANDING, "https://www.google.de/", "organic_search", "google");
    assertVisit(LANDING, "https://www.google.co.uk/", "organic_search", "google");
    assertVisit(LANDING, "https://www.google.com.br/", "organic_search", "google");
    assertVisit(LANDING, "https://www.google.com/url?sa=t&rct=j&q=&esrc=s&source=web&cd=&ved=2ahUKEwjX8&url="
        + "https%3A%2F%2Fshop.example%2Fp%2Fblue-shoes&usg=AOvVaw0B", "organic_search", "google");
    assertVisit(LANDING, "android-app://com.google.android.googlequicksearchbox/https/www.google.com",
        "organic_search", "google");
    assertVisit(LANDING, "https://www.bing.com/", "organic_search", "bing");
    assertVisit(LANDING, "https://cn.bing.com/search?q=blue+shoes", "organic_search", "bing");
    assertVisit(LANDING, "https://duckduckgo.com/", "organic_search", "duckduckgo");
    assertVisit(LANDING, "https://de.search.yahoo.com/", "organic_search", "yahoo");
    assertVisit(LANDING, "https://search.yahoo.co.jp/search?p=shoes", "organic_search", "yahoo");
    assertVisit(LANDING, "https://yandex.ru/", "organic_search", "yandex");
    assertVisit(LANDING, "https://www.baidu.com/link?url=K2x9", "organic_search", "baidu");
    assertVisit(LANDING, "https://www.ecosia.org/", "organic_search", "ecosia");
    assertVisit(LANDING, "https://search.brave.com/", "organic_search", "brave");
  }

  @Test
  void aLookAlikeHostIsNoSearchEngine() {
    assertVisit(LANDING, "https://google.evil-shop.com/", "referral", "google.evil-shop.com");
    assertVisit(LANDING, "https://www.google.com.evil.net/", "referral", "google.com.evil.net");
    assertVisit(LANDING, "https://notgoogle.com/", "referral", "notgoogle.com");
  }

  @Test
  void socialNetworksIncludingTheirLinkShimsAndShorteners() {
    assertVisit(LANDING, "https://l.facebook.com/", "social", "facebook");
    assertVisit(LANDING, "https://lm.facebook.com/l.php?u=https%3A%2F%2Fshop.example%2F&h=AT0Zx", "social", "facebook");
    assertVisit(LANDING, "https://m.facebook.com/", "social", "facebook");
    assertVisit(LANDING, "https://l.instagram.com/", "social", "instagram");
    assertVisit(LANDING, "https://t.co/", "social", "x");
    assertVisit(LANDING, "https://t.co/AbCdEf1234", "social", "x");
    assertVisit(LANDING, "https://x.com/", "social", "x");
    assertVisit(LANDING, "https://lnkd.in/", "social", "linkedin");
    assertVisit(LANDING, "https://www.linkedin.com/", "social", "linkedin");
    assertVisit(LANDING, "android-app://com.linkedin.android/", "social", "linkedin");
    assertVisit(LANDING, "https://out.reddit.com/t3_1abcd", "social", "reddit");
    assertVisit(LANDING, "https://www.youtube.com/", "social", "youtube");
    assertVisit(LANDING, "https://www.pinterest.de/", "social", "pinterest");
  }

  @Test
  void webmailAndMailAppsAreEmail() {
    assertVisit(LANDING, "android-app://com.google.android.gm/", "email", "gmail");
    assertVisit(LANDING, "https://mail.google.com/", "email", "gmail");
    assertVisit(LANDING, "https://outlook.live.com/", "email", "outlook");
    assertVisit(LANDING, "https://outlook.office.com/", "email", "outlook");
  }

  @Test
  void aiAssistantsAreTheirOwnChannel() {
    assertVisit(LANDING, "https://chatgpt.com/", "ai_assistant", "chatgpt");
    assertVisit(LANDING + "?utm_source=chatgpt.com", "https://chatgpt.com/", "ai_assistant", "chatgpt");
    assertVisit(LANDING, "https://www.perplexity.ai/", "ai_assistant", "perplexity");
    assertVisit(LANDING, "https://gemini.google.com/", "ai_assistant", "gemini");
  }

  @Test
  void aNewsletterWithUtmMediumEmailAndNoReferrer() {
    EnrichedEvent e = visit(LANDING + "?utm_source=Newsletter&utm_medium=email&utm_campaign=2024-05-spring", null);
    assertThat(e.channel).isEqualTo("email");
    assertThat(e.referrerSource).isEqualTo("newsletter");
    assertThat(e.referrerHost).isNull();
    assertThat(e.utmCampaign).isEqualTo("2024-05-spring");
    // The same link opened in Gmail on the web: the campaign decides the channel, the referrer names the source.
    EnrichedEvent web = visit(LANDING + "?utm_source=newsletter&utm_medium=email", "https://mail.google.com/");
    assertThat(web.channel).isEqualTo("email");
    assertThat(web.referrerSource).isEqualTo("gmail");
  }

  @Test
  void internalNavigationDirectAndUnknownReferrers() {
    EnrichedEvent internal = visit("https://shop.example/cart", "https://www.shop.example/p/blue-shoes?size=42");
    assertThat(internal.channel).isEqualTo("internal");
    assertThat(internal.referrerHost).isEqualTo("www.shop.example");
    assertThat(internal.referrerSource).isEqualTo("shop.example");

    EnrichedEvent direct = visit(LANDING, null);
    assertThat(direct.channel).isEqualTo("direct");
    assertThat(direct.referrerSource).isNull();
    assertThat(direct.referrerHost).isNull();
    assertThat(visit(LANDING, "").channel).isEqualTo("direct");
    assertThat(visit(LANDING, "about:blank").channel).isEqualTo("direct");

    EnrichedEvent blog = visit(LANDING, "https://www.runnersworld.example/best-shoes-2024");
    assertThat(blog.channel).isEqualTo("referral");
    assertThat(blog.referrerSource).isEqualTo("runnersworld.example");
    assertThat(blog.referrerHost).isEqualTo("www.runnersworld.example");
  }

  @Test
  void clickIdsAndPaidMediaDecideBeforeTheReferrer() {
    assertVisit(LANDING + "?gclid=Cj0KCQjw_wcB", "https://www.google.com/", "paid_search", "google");
    assertVisit(LANDING + "?gclid=Cj0KCQjw_wcB", null, "paid_search", "google");
    assertVisit(LANDING + "?wbraid=CjkKCQjw", null, "paid_search", "google");
    assertVisit(LANDING + "?msclkid=1a2b3c4d5e6f", "https://www.bing.com/", "paid_search", "bing");
    assertVisit(LANDING + "?dclid=CJjT0Ld", null, "display", "google");
    assertVisit(LANDING + "?ttclid=E.C.P.Cq", null, "paid_social", "tiktok");
    assertVisit(LANDING + "?li_fat_id=5c5e1b4f-9d1a", "https://www.linkedin.com/", "paid_social", "linkedin");
    // fbclid is on every outbound Facebook link, organic posts too: alone it is social.
    assertVisit(LANDING + "?fbclid=IwAR2F4-dbP0l7Mn1", "https://l.facebook.com/", "social", "facebook");
    assertVisit(LANDING + "?fbclid=IwAR2F4&utm_source=facebook&utm_medium=paid", "https://l.facebook.com/",
        "paid_social", "facebook");
    assertVisit(LANDING + "?fbclid=IwAR2F4&utm_source=ig&utm_medium=paid", "https://l.instagram.com/",
        "paid_social", "instagram");
    assertVisit(LANDING + "?utm_source=facebook&utm_medium=cpc", null, "paid_social", "facebook");
    assertVisit(LANDING + "?utm_source=bing&utm_medium=cpc", null, "paid_search", "bing");
    assertVisit(LANDING + "?utm_source=google&utm_medium=ppc", null, "paid_search", "google");
    assertVisit(LANDING + "?utm_source=partnerblog&utm_medium=cpc", null, "paid_other", "partnerblog");
    assertVisit(LANDING + "?utm_source=awin&utm_medium=affiliate", "https://www.awin1.com/", "affiliate", "awin1.com");
    assertVisit(LANDING + "?utm_source=gdn&utm_medium=display", null, "display", "gdn");
    assertVisit(LANDING + "?utm_source=facebook&utm_medium=social", "https://m.facebook.com/", "social", "facebook");
    assertVisit(LANDING + "?utm_source=podcast&utm_medium=audio", null, "other", "podcast");
  }

  @Test
  void theOperatorsFileAddsAndOverridesEntries() throws Exception {
    Path file = dir.resolve("referrers.json");
    Files.writeString(file, """
        {
          "_comment": "ours",
          "www.checkout.payments.example": {"source": "payments", "channel": "internal"},
          "intranet.corp.example": {"source": "intranet", "channel": "referral"},
          "t.co": {"source": "twitter", "channel": "social"},
          "community.*": {"source": "community", "channel": "social"}
        }
        """);
    ReferrerTable table = ReferrerTable.builtIn().withFile(file);
    assertThat(table.size()).isEqualTo(ReferrerTable.builtIn().size() + 3);

    assertThat(visit(LANDING, "https://checkout.payments.example/return", table).channel).isEqualTo("internal");
    EnrichedEvent intranet = visit(LANDING, "https://wiki.intranet.corp.example/page", table);
    assertThat(intranet.channel).isEqualTo("referral");
    assertThat(intranet.referrerSource).isEqualTo("intranet");
    assertThat(visit(LANDING, "https://t.co/x", table).referrerSource).isEqualTo("twitter");
    assertThat(visit(LANDING, "https://www.community.de/", table).channel).isEqualTo("social");
    assertThat(visit(LANDING, "https://www.google.de/", table).channel).isEqualTo("organic_search");
  }

  @Test
  void aBrokenFileIsRefusedWithTheEntryNamed() throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"example.com\": {\"source\": \"x\", \"channel\": \"viral\"}}");
    assertThatThrownBy(() -> ReferrerTable.builtIn().withFile(file))
        .hasMessageContaining("example.com").hasMessageContaining("\"channel\" must be one of");
    Files.writeString(file, "{\"https://example.com/\": {\"source\": \"x\", \"channel\": \"social\"}}");
    assertThatThrownBy(() -> ReferrerTable.builtIn().withFile(file)).hasMessageContaining("a key is a host name");
    Files.writeString(file, "[1, 2]");
    assertThatThrownBy(() -> ReferrerTable.builtIn().withFile(file)).hasMessageContaining("must be a JSON object");
    Files.writeString(file, "{not json");
    assertThatThrownBy(() -> ReferrerTable.builtIn().withFile(file)).hasMessageContaining("cannot read");
    assertThatThrownBy(() -> ReferrerTable.builtIn().withFile(dir.resolve("missing.json"))).hasMessageContaining("cannot read");
  }

  @Test
  void hostileReferrersLeaveFieldsUnsetOrReferral() {
    EnrichedEvent script = visit(LANDING, "javascript:alert(1)");
    assertThat(script.channel).isEqualTo("direct");
    assertThat(script.referrerHost).isNull();
    long started = System.nanoTime();
    EnrichedEvent huge = visit(LANDING, "https://" + "a.".repeat(15_000) + "google.com/");
    assertThat(huge.channel).isEqualTo("referral"); // longer than any DNS name: not looked up
    assertThat(System.nanoTime() - started).isLessThan(1_000_000_000L);
    EnrichedEvent odd = visit(LANDING, "https://\u00fcber.example\u3002com/\uD83D\uDE00");
    assertThat(odd.channel).isEqualTo("referral");
  }
}
