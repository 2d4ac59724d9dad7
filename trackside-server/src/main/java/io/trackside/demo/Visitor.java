package io.trackside.demo;

/**
 * A person's browser as the shop sees it.
 *
 * @param anonymousId the site's first-party id; null for a cookieless snippet visitor (the
 *                    server then derives a daily id from address and browser)
 * @param customer    the customer account this browser belongs to (logs in during some visits), or null
 * @param capture     how this browser's events reach Trackside
 */
record Visitor(String anonymousId, Customer customer, Audience.Browser browser, Audience.Country country,
               String ip, Capture capture, String botUserAgent) {

  /** A shop customer with an account: returns, logs in, is one person across devices. */
  record Customer(String userId, String email, String name) {
  }

  enum Capture {
    /** The shop's server sends through the Segment API (a Segment library or Trackside's Java SDK). */
    SEGMENT,
    /** Trackside's own browser snippet posts to its collect endpoint. */
    SNIPPET,
    /** gtag.js pointed at Trackside sends /g/collect hits. */
    GTAG
  }

  boolean bot() {
    return botUserAgent != null;
  }

  String userAgent() {
    return bot() ? botUserAgent : browser.userAgent();
  }

  String locale() {
    return country.language();
  }
}
