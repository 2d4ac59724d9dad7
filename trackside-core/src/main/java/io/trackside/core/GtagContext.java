package io.trackside.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A gtag hit's shared parameters as the Segment {@code context}: the page, locale, screen,
 * campaign, consent, client hints, and under {@code context.ga} the GA ids the GA4 destination
 * forwards ({@code clientId}, {@code sessionId}, {@code engagementTimeMsec}) with the rest of
 * gtag's session and hit state.
 */
final class GtagContext {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Parameters this class maps; the event mapper leaves them out of {@code context.ga.other}. */
  static final Set<String> MAPPED = Set.of("v", "tid", "cid", "uid", "sid", "sct", "seg", "_et", "_ss", "_fv",
      "_nsi", "_p", "_s", "dl", "dr", "dt", "ul", "sr", "gcs", "gcd", "npa", "uaa", "uab", "uafvl", "uamb",
      "uam", "uap", "uapv", "uaw", "uafv", "cs", "cm", "cn", "cc", "ck", "ct", "ci");

  private GtagContext() {
  }

  static ObjectNode of(Map<String, String> p) {
    ObjectNode context = NODES.objectNode();
    ObjectNode page = page(p);
    if (page != null) {
      context.set("page", page);
    }
    String locale = locale(p.get("ul"));
    if (locale != null) {
      context.put("locale", locale);
    }
    ObjectNode screen = screen(p.get("sr"));
    if (screen != null) {
      context.set("screen", screen);
    }
    ObjectNode campaign = NODES.objectNode();
    putText(campaign, "source", p.get("cs"));
    putText(campaign, "medium", p.get("cm"));
    putText(campaign, "name", p.get("cn"));
    putText(campaign, "content", p.get("cc"));
    putText(campaign, "term", nonEmpty(p.get("ck")) != null ? p.get("ck") : p.get("ct"));
    putText(campaign, "id", p.get("ci"));
    if (!campaign.isEmpty()) {
      context.set("campaign", campaign);
    }
    ObjectNode consent = GtagConsent.of(p.get("gcs"), p.get("gcd"), p.get("npa"));
    if (consent != null) {
      context.set("consent", consent);
    }
    ObjectNode hints = userAgentData(p);
    if (hints != null) {
      context.set("userAgentData", hints);
    }
    context.putObject("library").put("name", "gtag.js");
    context.set("ga", ga(p));
    return context;
  }

  /** Segment's context.page: url, referrer, title, and path and search taken from the url. */
  static ObjectNode page(Map<String, String> p) {
    ObjectNode page = NODES.objectNode();
    String url = nonEmpty(p.get("dl"));
    if (url != null) {
      page.put("url", url);
      int scheme = url.indexOf("://");
      if (scheme > 0) {
        int end = indexOfAny(url, "#", scheme + 3);
        int query = indexOfAny(url, "?", scheme + 3);
        if (query > end) {
          query = end;
        }
        int slash = indexOfAny(url, "/", scheme + 3);
        page.put("path", slash < query ? url.substring(slash, query) : "/");
        if (query + 1 < end) {
          page.put("search", url.substring(query, end));
        }
      }
    }
    putText(page, "referrer", p.get("dr"));
    putText(page, "title", p.get("dt"));
    return page.isEmpty() ? null : page;
  }

  /** The first index of any of the characters at or after {@code from}, else the length. */
  private static int indexOfAny(String s, String chars, int from) {
    for (int i = from; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return s.length();
  }

  /**
   * gtag writes {@code navigator.language} lower-cased ({@code en-us}); written the way
   * browsers and analytics.js do ({@code en-US}) so both sources count as one locale.
   */
  static String locale(String ul) {
    String text = nonEmpty(ul);
    if (text == null || text.length() > 35) {
      return text;
    }
    String[] parts = text.split("[-_]", -1);
    StringBuilder out = new StringBuilder(parts[0].toLowerCase(Locale.ROOT));
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i];
      out.append('-');
      if (part.length() == 2 && part.chars().allMatch(Character::isLetter)) {
        out.append(part.toUpperCase(Locale.ROOT));
      } else if (part.length() == 4 && part.chars().allMatch(Character::isLetter)) {
        out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1).toLowerCase(Locale.ROOT));
      } else {
        out.append(part);
      }
    }
    return out.toString();
  }

  /** {@code 1920x1080} → {width: 1920, height: 1080}; null when it is not that. */
  static ObjectNode screen(String sr) {
    if (sr == null) {
      return null;
    }
    int x = sr.indexOf('x');
    if (x <= 0 || x > 5 || sr.length() - x - 1 > 5 || sr.length() - x - 1 == 0) {
      return null;
    }
    String width = sr.substring(0, x);
    String height = sr.substring(x + 1);
    if (!digits(width) || !digits(height)) {
      return null;
    }
    ObjectNode screen = NODES.objectNode();
    screen.put("width", Integer.parseInt(width));
    screen.put("height", Integer.parseInt(height));
    return screen;
  }

  /**
   * The client hints as {@code navigator.userAgentData} has them, where the pipeline's
   * user-agent step reads them (as analytics.js sends them). {@code brands} (major versions) is
   * derived from the full version list, which is what the browser's low-entropy brands are.
   */
  static ObjectNode userAgentData(Map<String, String> p) {
    ObjectNode hints = NODES.objectNode();
    ArrayNode fullVersions = fullVersionList(p.get("uafvl"));
    if (fullVersions != null) {
      ArrayNode brands = hints.putArray("brands");
      for (JsonNode entry : fullVersions) {
        String version = entry.get("version").textValue();
        int dot = version.indexOf('.');
        brands.addObject().put("brand", entry.get("brand").textValue())
            .put("version", dot < 0 ? version : version.substring(0, dot));
      }
      hints.set("fullVersionList", fullVersions);
    }
    JsonNode mobile = GtagValues.flag(p.get("uamb"));
    if (mobile != null) {
      hints.set("mobile", mobile);
    }
    putText(hints, "platform", p.get("uap"));
    putText(hints, "platformVersion", p.get("uapv"));
    putText(hints, "model", p.get("uam"));
    putText(hints, "architecture", p.get("uaa"));
    putText(hints, "bitness", p.get("uab"));
    JsonNode wow64 = GtagValues.flag(p.get("uaw"));
    if (wow64 != null) {
      hints.set("wow64", wow64);
    }
    putText(hints, "uaFullVersion", p.get("uafv"));
    return hints.isEmpty() ? null : hints;
  }

  /**
   * {@code uafvl}: gtag.js URL-encodes each brand and version, joins them as
   * {@code brand;version|brand;version} and encodes the whole once more; this gets the already
   * once-decoded value. Null when it is absent or not that shape.
   */
  static ArrayNode fullVersionList(String uafvl) {
    if (nonEmpty(uafvl) == null) {
      return null;
    }
    ArrayNode list = NODES.arrayNode();
    for (String entry : uafvl.split("\\|")) {
      int semicolon = entry.lastIndexOf(';');
      if (semicolon <= 0 || semicolon == entry.length() - 1) {
        return null;
      }
      try {
        list.addObject().put("brand", GtagParams.decode(entry.substring(0, semicolon)))
            .put("version", GtagParams.decode(entry.substring(semicolon + 1)));
      } catch (IllegalArgumentException malformed) {
        return null;
      }
    }
    return list.size() > 10 ? null : list;
  }

  /** gtag's ids and session state, as sent, where the GA4 destination and reports look for them. */
  private static ObjectNode ga(Map<String, String> p) {
    ObjectNode ga = NODES.objectNode();
    putText(ga, "measurementId", p.get("tid"));
    putText(ga, "clientId", p.get("cid"));
    putText(ga, "sessionId", p.get("sid"));
    putNode(ga, "sessionNumber", GtagValues.integerOrText(p.get("sct")));
    putNode(ga, "sessionEngaged", GtagValues.flag(p.get("seg")));
    putNode(ga, "engagementTimeMsec", GtagValues.integerOrText(p.get("_et")));
    putNode(ga, "sessionStart", GtagValues.flag(p.get("_ss")));
    putNode(ga, "firstVisit", GtagValues.flag(p.get("_fv")));
    putNode(ga, "newToSite", GtagValues.flag(p.get("_nsi")));
    putText(ga, "pageLoadId", p.get("_p"));
    putNode(ga, "hitSequence", GtagValues.integerOrText(p.get("_s")));
    putText(ga, "gcs", p.get("gcs"));
    putText(ga, "gcd", p.get("gcd"));
    putText(ga, "npa", p.get("npa"));
    return ga;
  }

  static void putText(ObjectNode node, String field, String value) {
    String text = nonEmpty(value);
    if (text != null) {
      node.put(field, text);
    }
  }

  private static void putNode(ObjectNode node, String field, JsonNode value) {
    if (value != null) {
      node.set(field, value);
    }
  }

  static String nonEmpty(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  private static boolean digits(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
