package io.trackside.pipeline;

import static io.trackside.pipeline.JsonText.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;

/**
 * The page an event happened on: url, path, host, referrer, title and search from
 * {@code context.page}, or for page calls from the properties (the spec allows both).
 */
final class PageFields implements Step {

  @Override
  public String name() {
    return "page";
  }

  @Override
  public void apply(EnrichedEvent e) {
    Event event = e.event();
    JsonNode page = event.context().path("page");
    JsonNode pageProperties = "page".equals(event.type()) ? event.properties() : null;
    e.pageUrl = firstText(page, pageProperties, "url");
    e.pagePath = firstText(page, pageProperties, "path");
    if (e.pagePath == null) {
      e.pagePath = pathOf(e.pageUrl);
    }
    e.pageHost = hostOf(e.pageUrl);
    e.pageReferrer = firstText(page, pageProperties, "referrer");
    e.pageTitle = firstText(page, pageProperties, "title");
    e.pageSearch = firstText(page, pageProperties, "search");
  }

  /** context.page first; for page calls the spec also allows the same fields in properties. */
  private static String firstText(JsonNode page, JsonNode pageProperties, String field) {
    String value = text(page, field);
    if (value == null && pageProperties != null) {
      value = text(pageProperties, field);
    }
    return value;
  }

  /** The path of an absolute or root-relative URL, without query or fragment; "/" for a bare origin. */
  static String pathOf(String url) {
    if (url == null) {
      return null;
    }
    String rest = url;
    int cut = indexOfAny(rest, '?', '#');
    if (cut >= 0) {
      rest = rest.substring(0, cut);
    }
    int scheme = rest.indexOf("://");
    if (scheme >= 0) {
      int slash = rest.indexOf('/', scheme + 3);
      return slash < 0 ? "/" : rest.substring(slash);
    }
    return rest.startsWith("/") ? rest : null;
  }

  /** The host of an absolute URL, lower-case, without port or user info; null otherwise. */
  static String hostOf(String url) {
    if (url == null) {
      return null;
    }
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return null;
    }
    int start = scheme + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    String authority = url.substring(start, end);
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      authority = authority.substring(at + 1);
    }
    int colon = authority.startsWith("[") ? authority.indexOf("]:") + 1 : authority.lastIndexOf(':');
    if (colon > 0) {
      authority = authority.substring(0, colon);
    }
    return authority.isEmpty() ? null : authority.toLowerCase(java.util.Locale.ROOT);
  }

  private static int indexOfAny(String s, char a, char b) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == a || c == b) {
        return i;
      }
    }
    return -1;
  }
}
