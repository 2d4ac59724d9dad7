package io.trackside.pipeline;

import static io.trackside.pipeline.JsonText.nonEmpty;
import static io.trackside.pipeline.JsonText.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.core.EnrichedEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The campaign: {@code utm_*} from {@code context.campaign} (Segment's names: source, medium,
 * name, term, content), each missing one from the page URL's query.
 */
final class CampaignFields implements Step {

  @Override
  public String name() {
    return "campaign";
  }

  @Override
  public void apply(EnrichedEvent e) {
    JsonNode campaign = e.event().context().path("campaign");
    String url = e.pageUrl;
    Map<String, String> urlParams = url != null && url.contains("utm_") ? queryParameters(url) : Map.of();
    e.utmSource = value(campaign, "source", urlParams, "utm_source");
    e.utmMedium = value(campaign, "medium", urlParams, "utm_medium");
    e.utmCampaign = value(campaign, "name", urlParams, "utm_campaign");
    e.utmTerm = value(campaign, "term", urlParams, "utm_term");
    e.utmContent = value(campaign, "content", urlParams, "utm_content");
  }

  private static String value(JsonNode campaign, String field, Map<String, String> urlParams, String param) {
    String value = nonEmpty(text(campaign, field));
    return value != null ? value : nonEmpty(urlParams.get(param));
  }

  /** utm_* parameters of a URL's query, percent-decoded; the first occurrence wins. */
  static Map<String, String> queryParameters(String url) {
    int start = url.indexOf('?');
    if (start < 0) {
      return Map.of();
    }
    int end = url.indexOf('#', start);
    String query = url.substring(start + 1, end < 0 ? url.length() : end);
    Map<String, String> params = new HashMap<>();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (key.startsWith("utm_")) {
        params.putIfAbsent(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    return params;
  }

  static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformedPercentEscape) {
      return text;
    }
  }
}
