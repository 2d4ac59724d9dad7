package io.trackside.destination;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A Meta destination's own options, read once from its {@link DestinationConfig}.
 *
 * @param pixelId         the dataset (pixel) the events belong to
 * @param accessToken     the Conversions API token; it travels in the query string, as Meta
 *                        documents it, so whoever logs request URIs must redact it
 * @param apiVersion      the Graph API version, such as v25.0
 * @param baseUrl         https://graph.facebook.com, or a local stand-in in tests
 * @param testEventCode   routes events to Events Manager's Test Events tool; null in production
 * @param defaultCurrency ISO 4217 code for events whose value comes without a currency (a
 *                        single-currency shop that never sends one); null for none
 */
record MetaSettings(String pixelId, String accessToken, String apiVersion, String baseUrl, String testEventCode,
                    String defaultCurrency) {

  /**
   * The newest Graph API version when this was written (released 29 July 2026). Meta keeps each
   * version for about two years, so a pinned version keeps working long after a release.
   */
  static final String DEFAULT_API_VERSION = "v26.0";
  static final String DEFAULT_BASE_URL = "https://graph.facebook.com";

  private static final Pattern VERSION = Pattern.compile("v\\d+\\.\\d+");
  private static final Pattern DIGITS = Pattern.compile("\\d+");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  MetaSettings {
    if (!DIGITS.matcher(pixelId).matches()) {
      throw new IllegalArgumentException("meta pixel-id must be the pixel's number, not '" + pixelId + "'");
    }
    if (!VERSION.matcher(apiVersion).matches()) {
      throw new IllegalArgumentException("meta api-version looks like v25.0, not '" + apiVersion + "'");
    }
    if (defaultCurrency != null && !CURRENCY.matcher(defaultCurrency).matches()) {
      throw new IllegalArgumentException("meta default-currency is an ISO 4217 code such as EUR, not '"
          + defaultCurrency + "'");
    }
    baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  static MetaSettings of(DestinationConfig config) {
    String currency = config.option("default-currency", null);
    return new MetaSettings(
        config.requiredOption("pixel-id").strip(),
        config.requiredOption("access-token").strip(),
        config.option("api-version", DEFAULT_API_VERSION).strip(),
        config.option("base-url", DEFAULT_BASE_URL).strip(),
        config.option("test-event-code", null),
        currency == null ? null : currency.strip().toUpperCase(Locale.ROOT));
  }

  /** POST {base}/{version}/{pixel}/events?access_token=… */
  URI eventsUri() {
    return URI.create(baseUrl + "/" + apiVersion + "/" + pixelId + "/events?access_token="
        + URLEncoder.encode(accessToken, StandardCharsets.UTF_8));
  }

  /** Keeps the token out of toString(), which ends up in logs and exception messages. */
  @Override
  public String toString() {
    return "MetaSettings[pixelId=" + pixelId + ", apiVersion=" + apiVersion + ", baseUrl=" + baseUrl
        + ", testEventCode=" + testEventCode + ", defaultCurrency=" + defaultCurrency + "]";
  }
}
