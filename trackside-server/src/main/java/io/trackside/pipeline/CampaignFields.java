package io.trackside.pipeline;

import static io.trackside.pipeline.JsonText.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.core.EnrichedEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The campaign: {@code utm_*} from {@code context.campaign} (Segment's names: source, medium,
 * name, term, content), each missing one from the page URL's query; and the ad platforms'
 * click ids ({@link #CLICK_IDS}) from the page URL's query, else from {@code context.campaign}
 * or {@code context.referrer} where a library put them. Runs after {@link UrlHygiene}, so it
 * reads the cleaned URL (click ids and utm parameters are kept there).
 *
 * <p>Values are trimmed and capped ({@link #MAX_UTM_LENGTH}); a utm value holding an e-mail
 * address (newsletters sometimes put the recipient in utm_content) is redacted. A click id is
 * kept byte for byte (Meta's fbc must carry the fbclid unaltered) but only if it looks like one:
 * at most {@link #MAX_CLICK_ID_LENGTH} printable ASCII characters without spaces or quotes.
 */
final class CampaignFields implements Step {

  /** The click ids kept, in the order a visit's source is inferred from them. */
  static final List<String> CLICK_IDS = List.of(
      "gclid", "gbraid", "wbraid", "dclid", "msclkid", "fbclid", "ttclid", "li_fat_id", "twclid");
  static final int MAX_UTM_LENGTH = 256;
  static final int MAX_CLICK_ID_LENGTH = 512;

  @Override
  public String name() {
    return "campaign";
  }

  @Override
  public void apply(EnrichedEvent e) {
    JsonNode context = e.event().context();
    JsonNode campaign = context.path("campaign");
    String url = e.pageUrl;
    Map<String, String> urlParams = url != null && url.indexOf('?') >= 0 ? queryParameters(url) : Map.of();
    e.utmSource = value(campaign, "source", urlParams, "utm_source");
    e.utmMedium = value(campaign, "medium", urlParams, "utm_medium");
    e.utmCampaign = value(campaign, "name", urlParams, "utm_campaign");
    e.utmTerm = value(campaign, "term", urlParams, "utm_term");
    e.utmContent = value(campaign, "content", urlParams, "utm_content");
    JsonNode referrer = context.path("referrer");
    boolean inCampaign = campaign.isObject() && campaign.size() > 0;
    boolean inReferrer = referrer.isObject() && referrer.size() > 0;
    if (urlParams.isEmpty() && !inCampaign && !inReferrer) {
      return;
    }
    for (String name : CLICK_IDS) {
      String id = clickId(urlParams.get(name));
      if (id == null && inCampaign) {
        id = clickId(text(campaign, name));
      }
      if (id == null && inReferrer) {
        id = clickId(text(referrer, name));
      }
      if (id != null) {
        e.clickIds.put(name, id);
      }
    }
  }

  private static String value(JsonNode campaign, String field, Map<String, String> urlParams, String param) {
    String value = clean(text(campaign, field));
    return value != null ? value : clean(urlParams.get(param));
  }

  /** Trimmed, at most MAX_UTM_LENGTH characters, e-mail addresses redacted; null when empty. */
  static String clean(String value) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    if (v.isEmpty()) {
      return null;
    }
    if (v.length() > MAX_UTM_LENGTH) {
      int end = MAX_UTM_LENGTH;
      if (Character.isHighSurrogate(v.charAt(end - 1))) {
        end--; // never cut a character in half
      }
      v = v.substring(0, end);
    }
    return Emails.redact(v);
  }

  /** The click id if it looks like one (see the class comment), else null. */
  static String clickId(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_CLICK_ID_LENGTH) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c >= 127 || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\') {
        return null;
      }
    }
    return value;
  }

  /**
   * The utm_* and click-id parameters of a URL's query, percent-decoded; the first occurrence
   * wins. Other parameters are skipped without decoding.
   */
  static Map<String, String> queryParameters(String url) {
    int start = url.indexOf('?');
    if (start < 0) {
      return Map.of();
    }
    int end = url.indexOf('#', start);
    if (end < 0) {
      end = url.length();
    }
    Map<String, String> params = null;
    int pairStart = start + 1;
    while (pairStart < end) {
      int amp = url.indexOf('&', pairStart);
      int pairEnd = amp < 0 || amp > end ? end : amp;
      int eq = url.indexOf('=', pairStart);
      if (eq < 0 || eq > pairEnd) {
        eq = pairEnd;
      }
      if (wanted(url, pairStart, eq)) {
        String key = decode(url.substring(pairStart, eq));
        if (params == null) {
          params = new HashMap<>();
        }
        params.putIfAbsent(key, eq < pairEnd ? decode(url.substring(eq + 1, pairEnd)) : "");
      }
      pairStart = pairEnd + 1;
    }
    return params == null ? Map.of() : params;
  }

  /** utm_* or a click id, judged on the raw name (the names are plain ASCII; an encoded one is odd enough to ignore). */
  private static boolean wanted(String s, int start, int end) {
    if (s.startsWith("utm_", start)) {
      return true;
    }
    int length = end - start;
    for (String name : CLICK_IDS) {
      if (name.length() == length && s.startsWith(name, start)) {
        return true;
      }
    }
    return false;
  }

  static String decode(String text) {
    if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
      return text;
    }
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformedPercentEscape) {
      return text;
    }
  }
}
