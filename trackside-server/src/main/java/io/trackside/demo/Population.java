package io.trackside.demo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Who the next visit is: mostly new visitors, some of the shop's customers coming back (on the
 * browser they used before, logged in or logging in; now and then on another device), and a few
 * crawlers. A customer is never in two visits at once, so each browser's events stay in order.
 */
final class Population {
  private final Random random;
  private final List<Visitor> customers = new ArrayList<>();
  private final Map<String, Instant> busyUntil = new HashMap<>();

  /** A visitor and what they do about logging in. */
  record Pick(Visitor visitor, boolean loggedIn, boolean login) {
  }

  Population(Random random, int customerCount) {
    this.random = random;
    String[] first = {"Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Kira", "Leon"};
    String[] last = {"Berg", "Novak", "Rossi", "Dubois", "Smith", "Jansen", "Kowalski", "Lindqvist", "Garcia", "Weber"};
    for (int i = 1; i <= customerCount; i++) {
      String name = first[random.nextInt(first.length)] + " " + last[random.nextInt(last.length)];
      String email = name.toLowerCase(java.util.Locale.ROOT).replace(' ', '.') + i + "@example.com";
      Visitor.Customer customer = new Visitor.Customer("customer-" + i, email, name);
      Visitor browser = newVisitor(customer, false);
      customers.add(browser);
    }
  }

  Pick next(Instant start, boolean live) {
    int roll = random.nextInt(1000);
    if (roll < 30) {
      return new Pick(bot(), false, false);
    }
    if (roll < 230 && !customers.isEmpty()) {
      Visitor known = customers.get(random.nextInt(customers.size()));
      String key = known.customer().userId();
      if (!busyUntil.getOrDefault(key, Instant.MIN).isAfter(start)) {
        if (random.nextInt(100) < 15) {
          // The customer on another device: a new browser id, joined to them when they log in.
          return new Pick(newVisitor(known.customer(), live), false, true);
        }
        boolean remembered = random.nextInt(100) < 55;
        return new Pick(known, remembered, !remembered && random.nextInt(100) < 45);
      }
    }
    return new Pick(newVisitor(null, live), false, false);
  }

  /** Keeps a customer out of other visits until this one is over. */
  void busy(Visit visit) {
    if (visit.visitor().customer() != null) {
      busyUntil.put(visit.visitor().customer().userId(), visit.end().plusSeconds(60 * 40));
    }
  }

  private Visitor newVisitor(Visitor.Customer customer, boolean live) {
    Audience.Country country = Audience.country(random);
    Audience.Browser browser = Audience.browser(random);
    String ip = Audience.address(country, random);
    int roll = random.nextInt(100);
    Visitor.Capture capture = roll < 45 ? Visitor.Capture.SEGMENT : roll < 80 ? Visitor.Capture.SNIPPET : Visitor.Capture.GTAG;
    String anonymousId;
    if (capture == Visitor.Capture.GTAG) {
      // gtag.js's client id, as the _ga cookie holds it: a random number and the first visit's time.
      anonymousId = (100_000_000 + random.nextInt(900_000_000)) + "." + (1_700_000_000 + random.nextInt(30_000_000));
    } else if (capture == Visitor.Capture.SNIPPET && customer == null && random.nextBoolean()) {
      anonymousId = null; // the snippet's default: cookieless, a daily id from address and browser
    } else {
      anonymousId = new UUID(random.nextLong(), random.nextLong()).toString();
    }
    return new Visitor(anonymousId, customer, browser, country, ip, capture, null);
  }

  private Visitor bot() {
    String userAgent = Audience.BOTS.get(random.nextInt(Audience.BOTS.size()));
    String ip;
    if (userAgent.contains("Googlebot")) {
      ip = "66.249.66." + (1 + random.nextInt(254));
    } else if (userAgent.contains("bingbot")) {
      ip = "157.55.39." + (1 + random.nextInt(254));
    } else {
      ip = Audience.botAddress(random);
    }
    // Crawlers run no JavaScript: the shop's server-side tracking is what records them.
    return new Visitor(new UUID(random.nextLong(), random.nextLong()).toString(), null, Audience.DESKTOP.get(0),
        Audience.COUNTRIES.get(0), ip, Visitor.Capture.SEGMENT, userAgent);
  }
}
