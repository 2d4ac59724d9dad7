package io.trackside.demo;

import java.util.List;
import java.util.Random;

/**
 * Who visits the simulated shop: real browser User-Agent strings, crawler ones, and client
 * addresses from networks that IP databases place in the named country (big consumer ISPs), so
 * the geo step has something true to find.
 */
final class Audience {

  record Browser(String userAgent, String device, String language, String screen) {
  }

  record Country(String code, String language, int weight, List<String> prefixes) {
  }

  static final List<Browser> DESKTOP = List.of(
      new Browser("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
          "desktop", null, "1920x1080"),
      new Browser("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
          "desktop", null, "1536x864"),
      new Browser("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
          "desktop", null, "1920x1080"),
      new Browser("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
          "desktop", null, "1440x900"),
      new Browser("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
          "desktop", null, "2560x1440"));

  static final List<Browser> PHONE = List.of(
      new Browser("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
          "phone", null, "393x852"),
      new Browser("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
          "phone", null, "412x915"),
      new Browser("Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
          "phone", null, "360x780"),
      new Browser("Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
          "tablet", null, "820x1180"));

  /** Crawlers the user-agent step knows, and a scraper it does not (caught by its pace instead). */
  static final List<String> BOTS = List.of(
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
      "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
      "python-requests/2.31.0");

  /** Address prefixes of large consumer networks in each country (checked against the free country database). */
  static final List<Country> COUNTRIES = List.of(
      new Country("DE", "de-DE", 30, List.of("84.150.", "91.64.", "93.192.")),
      new Country("US", "en-US", 18, List.of("73.15.", "73.162.", "98.207.")),
      new Country("GB", "en-GB", 10, List.of("81.129.", "86.150.")),
      new Country("FR", "fr-FR", 9, List.of("90.12.", "90.85.")),
      new Country("NL", "nl-NL", 7, List.of("77.166.", "83.80.")),
      new Country("AT", "de-AT", 5, List.of("84.113.", "91.115.")),
      new Country("CH", "de-CH", 4, List.of("178.197.", "85.1.")),
      new Country("ES", "es-ES", 4, List.of("83.44.", "88.24.")),
      new Country("IT", "it-IT", 4, List.of("79.17.", "93.44.")),
      new Country("PL", "pl-PL", 3, List.of("83.24.", "89.64.")),
      new Country("SE", "sv-SE", 2, List.of("90.224.", "83.252.")),
      new Country("CA", "en-CA", 2, List.of("174.112.", "99.224.")),
      new Country("JP", "ja-JP", 1, List.of("126.15.", "126.200.")),
      new Country("AU", "en-AU", 1, List.of("1.129.", "101.160.")));

  private static final int COUNTRY_WEIGHTS = COUNTRIES.stream().mapToInt(Country::weight).sum();

  private Audience() {
  }

  static Country country(Random random) {
    int pick = random.nextInt(COUNTRY_WEIGHTS);
    for (Country c : COUNTRIES) {
      pick -= c.weight();
      if (pick < 0) {
        return c;
      }
    }
    throw new AssertionError();
  }

  static String address(Country country, Random random) {
    String prefix = country.prefixes().get(random.nextInt(country.prefixes().size()));
    return prefix + (1 + random.nextInt(254)) + "." + (1 + random.nextInt(254));
  }

  /** 58 % desktop, the rest phones and tablets, as a typical shop's traffic splits. */
  static Browser browser(Random random) {
    return random.nextInt(100) < 58 ? DESKTOP.get(random.nextInt(DESKTOP.size())) : PHONE.get(random.nextInt(PHONE.size()));
  }

  /** A bot address: a German hosting provider's range (Hetzner), as scrapers rent. */
  static String botAddress(Random random) {
    return "88.198." + (1 + random.nextInt(254)) + "." + (1 + random.nextInt(254));
  }
}
