package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import io.trackside.core.ReceivedEvent;
import io.trackside.core.SegmentEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Real User-Agent strings, as today's browsers, crawlers and tools send them, and helpers for
 * the tests that feed them through the pipeline.
 */
final class UserAgents {

  static final String CHROME_WINDOWS =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36";
  static final String CHROME_MACOS =
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36";
  /** Chrome's reduced user agent on Android: the model and Android version are frozen to "10; K". */
  static final String CHROME_ANDROID =
      "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Mobile Safari/537.36";
  static final String CHROME_ANDROID_TABLET =
      "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36";
  static final String SAFARI_IPHONE_IOS17 =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1";
  static final String SAFARI_IPHONE_IOS18 =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1";
  static final String SAFARI_IPAD_IOS17 =
      "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1";
  static final String SAFARI_IPAD_IOS18 =
      "Mozilla/5.0 (iPad; CPU OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1";
  static final String SAFARI_MACOS =
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15";
  static final String FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:139.0) Gecko/20100101 Firefox/139.0";
  static final String FIREFOX_MACOS = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:138.0) Gecko/20100101 Firefox/138.0";
  static final String FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
  static final String EDGE_WINDOWS =
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36 Edg/138.0.0.0";
  static final String SAMSUNG_INTERNET =
      "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36";
  static final String CHROME_IOS =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/138.0.7204.156 Mobile/15E148 Safari/604.1";
  /** A phone brand whose name ends in "bot": a naive substring rule would call it a crawler. */
  static final String CUBOT_PHONE =
      "Mozilla/5.0 (Linux; Android 12; CUBOT KINGKONG 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";
  static final String SMART_TV =
      "Mozilla/5.0 (SMART-TV; Linux; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko) 94.0.4606.31/7.0 TV Safari/537.36";
  static final String PLAYSTATION_5 = "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)";

  static final String GOOGLEBOT_SMARTPHONE =
      "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.7204.183 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
  static final String BINGBOT =
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36";
  static final String AHREFSBOT = "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)";
  static final String GPTBOT =
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)";
  static final String UPTIMEROBOT = "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)";
  static final String PINGDOM = "Mozilla/5.0 (compatible; Pingdom.com_bot_version_1.4_(http://www.pingdom.com/))";
  static final String FACEBOOK_PREVIEW = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)";
  static final String CURL = "curl/8.5.0";
  static final String PYTHON_REQUESTS = "python-requests/2.32.3";
  static final String PYTHON_HTTPX = "python-httpx/0.27.0";
  static final String GO_HTTP_CLIENT = "Go-http-client/1.1";
  static final String HEADLESS_CHROME =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/138.0.0.0 Safari/537.36";
  static final String LIGHTHOUSE =
      "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse";
  static final String PHANTOMJS =
      "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1";

  static final String ANALYTICS_JAVA = "analytics-java/3.5.4";
  static final String ANALYTICS_NODE = "analytics-node-next/latest";
  static final String ANALYTICS_PYTHON = "analytics-python/2.3.3";

  private UserAgents() {
  }

  /** The process's parser, once ready (the first caller waits for the warm-up). */
  static UserAgentParser readyParser() throws InterruptedException {
    UserAgentParser parser = UserAgentParser.shared();
    if (!parser.awaitReady(Duration.ofMinutes(3))) {
      throw new AssertionError("the user-agent analyzer was not ready within 3 minutes");
    }
    return parser;
  }

  /** An event as the collector would have logged it, from a client with this User-Agent header. */
  static Event event(String json, String headerUserAgent) {
    return SegmentEvents.decode(new ReceivedEvent(1_714_557_605_000L, "web", "203.0.113.77", headerUserAgent,
        null, null, json.getBytes(StandardCharsets.UTF_8)));
  }

  static EnrichedEvent enriched(String json, String headerUserAgent) {
    return new EnrichedEvent(event(json, headerUserAgent));
  }

  /** A page call with the user agent in context.userAgent, as analytics.js sends it. */
  static String page(String anonymousId, String timestamp, String contextUserAgent) {
    return "{\"type\":\"page\",\"name\":\"Home\",\"anonymousId\":\"" + anonymousId + "\",\"timestamp\":\"" + timestamp
        + "\",\"context\":{\"userAgent\":" + (contextUserAgent == null ? "null" : quote(contextUserAgent))
        + ",\"page\":{\"url\":\"https://shop.example/\"}}}";
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
