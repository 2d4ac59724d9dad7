package io.trackside.destination;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * A GA4 destination's settings, read from its config entry and checked once at start, so a
 * typo fails the start instead of every event.
 *
 * @param measurementId  the web stream's {@code G-…} id
 * @param apiSecret      the stream's Measurement Protocol secret
 * @param baseUrl        {@code https://www.google-analytics.com} (or the EU host
 *                       region1.google-analytics.com; tests use a local server)
 * @param validate       send to /debug/mp/collect and treat every validation message as a
 *                       rejection (events sent there never reach reports)
 * @param userData       send hashed e-mail/phone/address when the visitor granted ad_user_data
 * @param userProperties send traits as user properties
 * @param currency       the currency of events that have a value and none of their own
 * @param eventNames     Segment event name → GA4 event name, over the defaults
 */
record Ga4Options(String measurementId, String apiSecret, URI baseUrl, boolean validate, boolean userData,
                  boolean userProperties, String currency, Map<String, String> eventNames) {

  static final String DEFAULT_BASE_URL = "https://www.google-analytics.com";

  static Ga4Options from(DestinationConfig config) {
    String measurementId = config.requiredOption("measurement-id").strip();
    if (!measurementId.matches("G-[A-Z0-9]+")) {
      throw invalid(config, "measurement-id '" + measurementId + "' is not a web stream's G-… id");
    }
    String apiSecret = config.requiredOption("api-secret").strip();
    String base = config.option("base-url", DEFAULT_BASE_URL).strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    URI baseUrl;
    try {
      baseUrl = URI.create(base);
    } catch (IllegalArgumentException e) {
      throw invalid(config, "base-url '" + base + "' is not a URL");
    }
    if (!"https".equals(baseUrl.getScheme()) && !"http".equals(baseUrl.getScheme())) {
      throw invalid(config, "base-url '" + base + "' is not an http(s) URL");
    }
    String currency = config.option("currency", "USD").strip().toUpperCase(Locale.ROOT);
    if (!currency.matches("[A-Z]{3}")) {
      throw invalid(config, "currency '" + currency + "' is not a 3-letter ISO 4217 code");
    }
    Map<String, String> eventNames = config.eventNames() == null ? Map.of() : Map.copyOf(config.eventNames());
    eventNames.forEach((segment, ga4) -> {
      if (!Ga4Names.wellFormed(ga4, Ga4Names.MAX_EVENT_NAME)) {
        throw invalid(config, "eventNames maps '" + segment + "' to '" + ga4 + "', which GA4 does not accept:"
            + " letters, digits and _, starting with a letter, at most " + Ga4Names.MAX_EVENT_NAME + " characters");
      }
      if (Ga4Names.reservedEvent(ga4)) {
        throw invalid(config, "eventNames maps '" + segment + "' to '" + ga4 + "', a name GA4 reserves");
      }
    });
    return new Ga4Options(measurementId, apiSecret, baseUrl, flag(config, "validate", false),
        flag(config, "user-data", true), flag(config, "user-properties", true), currency, eventNames);
  }

  private static boolean flag(DestinationConfig config, String name, boolean fallback) {
    String value = config.option(name, Boolean.toString(fallback)).strip().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw invalid(config, name + " must be true or false, not '" + value + "'");
    };
  }

  private static IllegalArgumentException invalid(DestinationConfig config, String problem) {
    return new IllegalArgumentException("destination '" + config.id() + "' (ga4): " + problem);
  }

  /** Keeps the secret out of logs and exception messages that print the options. */
  @Override
  public String toString() {
    return "Ga4Options[measurementId=" + measurementId + ", baseUrl=" + baseUrl + ", validate=" + validate
        + ", userData=" + userData + ", userProperties=" + userProperties + ", currency=" + currency
        + ", eventNames=" + eventNames + "]";
  }
}
