package io.trackside.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import java.util.Set;

/**
 * Normalises the page URL and referrer and scrubs personal data from them and from the page's
 * search and title (see {@link UrlCleaner}). Runs right after {@link PageFields} and before
 * the campaign and referrer steps, which read the cleaned values.
 *
 * <p>The same values are rewritten where the event carries them — {@code context.page} and a
 * page call's properties — so the raw URL does not survive in the stored {@code context} and
 * {@code properties} JSON either.
 */
final class UrlHygiene implements Step {

  /** Parameter names scrubbed when the operator does not set enrichment.url.scrub-params. */
  static final Set<String> DEFAULT_SCRUB_PARAMS = Set.of(
      "email", "e-mail", "e_mail", "mail", "email_address", "emailaddress",
      "token", "access_token", "id_token", "refresh_token", "auth", "authorization",
      "password", "passwd", "pwd", "secret", "client_secret", "api_key", "apikey",
      "session", "sessionid", "session_id", "jsessionid", "phpsessid", "sid",
      "phone", "tel", "telephone", "mobile",
      "first_name", "last_name", "firstname", "lastname");

  private final UrlCleaner cleaner;

  UrlHygiene(Set<String> scrubParams) {
    this.cleaner = new UrlCleaner(scrubParams);
  }

  @Override
  public String name() {
    return "url_hygiene";
  }

  @Override
  public void apply(EnrichedEvent e) {
    Event event = e.event();
    String rawUrl = e.pageUrl;
    String rawReferrer = e.pageReferrer;
    String rawSearch = e.pageSearch;
    String rawTitle = e.pageTitle;
    String rawPath = e.pagePath;
    e.pageUrl = cleaner.clean(rawUrl);
    if (e.pageUrl != rawUrl) { // cleaning returns the same instance when there was nothing to clean
      e.pageHost = PageFields.hostOf(e.pageUrl);
    }
    e.pageReferrer = cleaner.clean(rawReferrer);
    e.pageSearch = cleaner.cleanSearch(rawSearch);
    e.pageTitle = Emails.redact(rawTitle);
    e.pagePath = cleaner.cleanPath(rawPath);
    if (rawUrl != null && e.pageUrl == null) {
      e.pagePath = null; // a javascript: "page" has no path either
    }

    Cleaned known = new Cleaned(rawUrl, e.pageUrl, rawReferrer, e.pageReferrer, rawSearch, e.pageSearch,
        rawTitle, e.pageTitle, rawPath, e.pagePath);
    JsonNode page = event.context().get("page");
    if (page instanceof ObjectNode pageNode) {
      rewrite(pageNode, known);
    }
    if ("page".equals(event.type())) {
      rewrite(event.properties(), known);
    }
  }

  /** The values already cleaned for the event's fields, so the JSON copies of them are not cleaned twice. */
  private record Cleaned(String url, String cleanUrl, String referrer, String cleanReferrer, String search,
                         String cleanSearch, String title, String cleanTitle, String path, String cleanPath) {
  }

  /** Puts the cleaned values where the raw ones were; only fields that changed are touched. */
  private void rewrite(ObjectNode node, Cleaned known) {
    replace(node, "url", known.url(), known.cleanUrl(), 0);
    replace(node, "referrer", known.referrer(), known.cleanReferrer(), 0);
    replace(node, "search", known.search(), known.cleanSearch(), 1);
    replace(node, "title", known.title(), known.cleanTitle(), 2);
    replace(node, "path", known.path(), known.cleanPath(), 3);
  }

  private void replace(ObjectNode node, String field, String knownRaw, String knownClean, int kind) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      return;
    }
    String raw = value.textValue();
    String cleaned = raw.equals(knownRaw) ? knownClean : switch (kind) {
      case 0 -> cleaner.clean(raw);
      case 1 -> cleaner.cleanSearch(raw);
      case 2 -> Emails.redact(raw);
      default -> cleaner.cleanPath(raw);
    };
    if (cleaned == null) {
      node.remove(field);
    } else if (!cleaned.equals(raw)) {
      node.put(field, cleaned);
    }
  }
}
