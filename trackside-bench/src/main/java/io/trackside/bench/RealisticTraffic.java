package io.trackside.bench;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Segment events as a shop's visitors produce them: current browsers on desktop and phone plus a
 * few bots, addresses from all over the public IPv4 and some IPv6 space, arrivals from search,
 * social, e-mail and paid campaigns, and a shopping funnel (page views, product views, carts,
 * orders). Deterministic for a seed, so two runs measure the same work.
 */
final class RealisticTraffic {

  /** One generated event: its JSON, and the connection's address and User-Agent header. */
  record Hit(String json, String ip, String userAgent) {
  }

  // Real user agents of current browsers (2025/2026 releases), with a few bots and scripts.
  static final List<String> USER_AGENTS = List.of(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.0.0 Safari/537.36 Edg/134.0.0.0",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Safari/605.1.15",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:135.0) Gecko/20100101 Firefox/135.0",
      "Mozilla/5.0 (X11; Linux x86_64; rv:134.0) Gecko/20100101 Firefox/134.0",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (iPad; CPU OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/133.0.6943.84 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Mobile Safari/537.36",
      "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.6834.163 Mobile Safari/537.36",
      "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36",
      "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36",
      "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.204 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
      "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
      "python-requests/2.32.3",
      "curl/8.5.0");
  // How often each agent above appears, in the same order: mostly people, about 6 % bots.
  private static final int[] UA_WEIGHTS = {22, 5, 9, 8, 5, 2, 2, 14, 5, 3, 2, 6, 5, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1};

  private static final String[] REFERRERS = {
      null, null, null, // direct
      "https://www.google.com/", "https://www.google.de/", "https://www.google.co.uk/", "https://www.google.fr/",
      "https://www.bing.com/search?q=running+shoes", "https://duckduckgo.com/",
      "https://l.facebook.com/l.php?u=https%3A%2F%2Fshop.example%2F", "https://www.instagram.com/", "https://t.co/abc123",
      "https://www.reddit.com/r/running/", "https://www.youtube.com/", "https://www.linkedin.com/feed/",
      "android-app://com.google.android.gm/", "https://blog.runners.example/best-shoes-2026"};

  private static final String[] CAMPAIGNS = {
      "", "", "", "", "",
      "?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale",
      "?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=Cj0KCQiA5rGuBhCnARIsAN11vgR",
      "?utm_source=facebook&utm_medium=paid_social&utm_campaign=retargeting&fbclid=IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgE",
      "?utm_source=tiktok&utm_medium=paid&utm_campaign=launch&ttclid=E.C.P.Cs0BhPtp"};

  private static final String[] PRODUCTS = {"blue-running-shoes", "trail-shoes", "rain-jacket", "merino-socks",
      "water-bottle", "sports-watch", "yoga-mat", "headlamp"};

  private final SplittableRandom random;
  private long sequence;

  RealisticTraffic(long seed) {
    this.random = new SplittableRandom(seed);
  }

  Hit next() {
    long n = sequence++;
    // A visitor keeps its address and browser across its events, as people do; 200,000 visitors.
    long visitor = random.nextLong(200_000);
    SplittableRandom person = new SplittableRandom(visitor * 0x9E3779B97F4A7C15L);
    String ua = USER_AGENTS.get(weighted(person, UA_WEIGHTS));
    String ip = person.nextInt(10) == 0 ? ipv6(person) : ipv4(person);
    String product = PRODUCTS[random.nextInt(PRODUCTS.length)];
    String referrer = REFERRERS[random.nextInt(REFERRERS.length)];
    String url = "https://shop.example/p/" + product + CAMPAIGNS[random.nextInt(CAMPAIGNS.length)];
    String anon = "anon-" + Long.toHexString(visitor);
    int kind = random.nextInt(100);
    String head = "{\"messageId\":\"bench-" + n + "\",\"anonymousId\":\"" + anon + "\","
        + "\"timestamp\":\"2026-11-28T10:" + two((n / 60) % 60) + ":" + two(n % 60) + ".000Z\","
        + "\"sentAt\":\"2026-11-28T10:" + two((n / 60) % 60) + ":" + two(n % 60) + ".200Z\",";
    String context = "\"context\":{\"page\":{\"url\":" + quote(url) + ",\"path\":\"/p/" + product + "\""
        + (referrer == null ? "" : ",\"referrer\":" + quote(referrer)) + ",\"title\":\"" + product + " | Shop\"},"
        + "\"locale\":\"de-DE\",\"library\":{\"name\":\"analytics.js\",\"version\":\"5.2.1\"},"
        + "\"consent\":{\"categoryPreferences\":{\"Analytics\":true,\"Advertising\":" + (n % 3 != 0) + "}},"
        + "\"userAgent\":" + quote(ua) + "}";
    String body;
    if (kind < 55) {
      body = "\"type\":\"page\",\"name\":\"Product\",\"properties\":{},";
    } else if (kind < 80) {
      body = "\"type\":\"track\",\"event\":\"Product Viewed\",\"properties\":{\"product_id\":\"" + product
          + "\",\"price\":" + (19 + random.nextInt(180)) + ".9,\"currency\":\"EUR\"},";
    } else if (kind < 93) {
      body = "\"type\":\"track\",\"event\":\"Product Added\",\"properties\":{\"product_id\":\"" + product
          + "\",\"quantity\":1,\"price\":49.9,\"currency\":\"EUR\"},";
    } else if (kind < 97) {
      body = "\"type\":\"identify\",\"userId\":\"user-" + random.nextInt(50_000) + "\",\"traits\":{\"email\":\"runner"
          + random.nextInt(50_000) + "@example.com\",\"plan\":\"member\"},";
    } else {
      body = "\"type\":\"track\",\"event\":\"Order Completed\",\"properties\":{\"order_id\":\"o-" + n
          + "\",\"total\":" + (30 + random.nextInt(300)) + ".5,\"currency\":\"EUR\",\"products\":[{\"product_id\":\""
          + product + "\",\"quantity\":1}]},";
    }
    return new Hit(head + body + context + "}", ip, ua);
  }

  private static int weighted(SplittableRandom random, int[] weights) {
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int pick = random.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      pick -= weights[i];
      if (pick < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** A public unicast IPv4 address (not private, loopback, link-local, CGNAT or multicast). */
  private static String ipv4(SplittableRandom random) {
    while (true) {
      int a = 1 + random.nextInt(223);
      int b = random.nextInt(256);
      if (a == 10 || a == 127 || (a == 169 && b == 254) || (a == 172 && b >= 16 && b < 32) || (a == 192 && b == 168)
          || (a == 100 && b >= 64 && b < 128)) {
        continue;
      }
      return a + "." + b + "." + random.nextInt(256) + "." + random.nextInt(256);
    }
  }

  /** A global unicast IPv6 address in the ranges RIRs allocate from (2001:, 2a0x:, 2600:, 2400:). */
  private static String ipv6(SplittableRandom random) {
    String[] prefixes = {"2001:4860", "2a00:1450", "2a02:810", "2600:1f18", "2400:cb00", "2a01:4f8", "2a03:2880"};
    return prefixes[random.nextInt(prefixes.length)] + ":" + Integer.toHexString(random.nextInt(0x10000)) + "::"
        + Integer.toHexString(random.nextInt(0x10000));
  }

  private static String two(long v) {
    return v < 10 ? "0" + v : Long.toString(v);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
