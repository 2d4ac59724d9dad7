package io.trackside.demo;

import java.util.List;
import java.util.Random;

/**
 * How a visit arrives: the referrer and the landing URL's query, as the browser would send them.
 * The pipeline derives the channel from these (referrer table, utm parameters, click ids); the
 * simulator only names the intent so that the shares come out as planned.
 */
record Acquisition(String intent, String referrer, String query) {

  /** Intents with their share of visits, in percent. */
  private static final List<Object[]> SHARES = List.of(
      new Object[] {"organic", 34}, new Object[] {"social", 16}, new Object[] {"email", 12},
      new Object[] {"paid", 14}, new Object[] {"direct", 24});

  private static final String[] SEARCH_ENGINES = {"https://www.google.com/", "https://www.google.de/",
      "https://www.bing.com/", "https://duckduckgo.com/"};
  private static final String[] SOCIAL = {"https://l.facebook.com/", "https://www.instagram.com/",
      "https://www.reddit.com/r/hiking/"};
  private static final String[] NEWSLETTERS = {"november-sale", "new-arrivals", "winter-layers"};
  private static final String[] PAID_CAMPAIGNS = {"brand-search", "shoes-generic", "black-friday"};

  static Acquisition pick(Random random) {
    int roll = random.nextInt(100);
    String intent = "direct";
    for (Object[] share : SHARES) {
      roll -= (Integer) share[1];
      if (roll < 0) {
        intent = (String) share[0];
        break;
      }
    }
    return of(intent, random);
  }

  static Acquisition of(String intent, Random random) {
    return switch (intent) {
      case "organic" -> new Acquisition(intent, SEARCH_ENGINES[random.nextInt(SEARCH_ENGINES.length)], "");
      case "social" -> new Acquisition(intent, SOCIAL[random.nextInt(SOCIAL.length)], "");
      case "email" -> new Acquisition(intent, null, "utm_source=newsletter&utm_medium=email&utm_campaign="
          + NEWSLETTERS[random.nextInt(NEWSLETTERS.length)]);
      case "paid" -> random.nextInt(3) < 2
          ? new Acquisition(intent, "https://www.google.com/", "utm_source=google&utm_medium=cpc&utm_campaign="
              + PAID_CAMPAIGNS[random.nextInt(PAID_CAMPAIGNS.length)] + "&gclid=" + clickId(random))
          : new Acquisition(intent, "https://m.facebook.com/", "utm_source=facebook&utm_medium=paid_social"
              + "&utm_campaign=black-friday&fbclid=" + clickId(random));
      default -> new Acquisition("direct", null, "");
    };
  }

  /** Where such a visitor lands: search and social on content and products, e-mail and ads on offers. */
  String landingPath(Random random) {
    List<Catalog.Product> products = Catalog.PRODUCTS;
    return switch (intent) {
      case "organic" -> random.nextInt(3) == 0 ? Catalog.BLOG_POSTS.get(random.nextInt(Catalog.BLOG_POSTS.size()))
          : products.get(random.nextInt(products.size())).path();
      case "social" -> random.nextBoolean() ? Catalog.BLOG_POSTS.get(random.nextInt(Catalog.BLOG_POSTS.size()))
          : products.get(random.nextInt(products.size())).path();
      case "email" -> "/c/" + Catalog.CATEGORIES.get(random.nextInt(Catalog.CATEGORIES.size()));
      case "paid" -> products.get(random.nextInt(4)).path();
      default -> "/";
    };
  }

  private static String clickId(Random random) {
    String letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    StringBuilder id = new StringBuilder("Cj0KCQ");
    for (int i = 0; i < 24; i++) {
      id.append(letters.charAt(random.nextInt(letters.length())));
    }
    return id.toString();
  }
}
