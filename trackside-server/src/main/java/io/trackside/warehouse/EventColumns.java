package io.trackside.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackside.core.Event;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.duckdb.DuckDBAppender;

/**
 * Turns an {@link Event} into one row of the events table: the Segment fields plus the columns
 * reports filter and group by most (page, campaign, agent, truncated IP), so those queries do
 * not have to dig through JSON.
 */
final class EventColumns {

  private static final boolean[] TIMESTAMP_COLUMN = timestampColumns();

  private EventColumns() {
  }

  /**
   * The row's values in {@link Schema#EVENTS} order: Strings, epoch-microsecond Longs for
   * timestamps, an Integer partition and a Long offset. Everything that can go wrong with a
   * strange event goes wrong here, before the Appender is touched, so the caller can quarantine
   * that one event instead of failing (and endlessly retrying) the whole batch.
   */
  static Object[] values(LoggedEvent logged) {
    Event e = logged.event();
    ObjectNode context = e.context();
    JsonNode page = context.path("page");
    JsonNode pageProperties = "page".equals(e.type()) ? e.properties() : null;
    String url = firstText(page, pageProperties, "url");
    String path = firstText(page, pageProperties, "path");
    if (path == null) {
      path = pathOf(url);
    }
    JsonNode campaign = context.path("campaign");
    Map<String, String> urlParams = url != null && url.contains("utm_") ? queryParameters(url) : Map.of();
    String contextIp = nonEmpty(text(context, "ip"));
    String ip = IpAddresses.truncate(contextIp != null ? contextIp : e.clientIp());
    String userAgent = text(context, "userAgent");
    JsonNode library = context.path("library");
    return new Object[] {
        e.messageId(),
        e.source(),
        e.type(),
        e.event(),
        e.name(),
        e.userId(),
        e.anonymousId(),
        e.groupId(),
        e.previousId(),
        epochMicros(e.timestamp()),
        epochMicros(e.originalTimestamp()),
        epochMicros(e.sentAt()),
        epochMicros(e.receivedAt()),
        url,
        path,
        firstText(page, pageProperties, "referrer"),
        firstText(page, pageProperties, "title"),
        firstText(page, pageProperties, "search"),
        campaignValue(campaign, "source", urlParams, "utm_source"),
        campaignValue(campaign, "medium", urlParams, "utm_medium"),
        campaignValue(campaign, "name", urlParams, "utm_campaign"),
        campaignValue(campaign, "term", urlParams, "utm_term"),
        campaignValue(campaign, "content", urlParams, "utm_content"),
        userAgent != null ? userAgent : e.userAgent(),
        text(context, "locale"),
        ip,
        text(library, "name"),
        text(library, "version"),
        e.properties().toString(),
        e.traits().toString(),
        storedContext(context, contextIp != null ? ip : null).toString(),
        e.integrations().toString(),
        logged.logPartition(),
        logged.logOffset()};
  }

  /** Appends values made by {@link #values}; their types fit the columns, so data cannot make this fail. */
  static void append(DuckDBAppender row, Object[] values) throws SQLException {
    row.beginRow();
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v == null) {
        row.appendNull();
      } else if (TIMESTAMP_COLUMN[i]) {
        row.appendEpochMicros((Long) v);
      } else if (v instanceof String text) {
        row.append(text);
      } else if (v instanceof Integer n) {
        row.append(n.intValue());
      } else {
        row.append(((Long) v).longValue());
      }
    }
    row.endRow();
  }

  static void timestamp(DuckDBAppender row, Instant instant) throws SQLException {
    Long micros = epochMicros(instant);
    if (micros == null) {
      row.appendNull();
    } else {
      row.appendEpochMicros(micros);
    }
  }

  /** Epoch micros rather than LocalDateTime: no JVM time zone can get in the way. */
  private static Long epochMicros(Instant instant) {
    return instant == null ? null
        : Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  private static boolean[] timestampColumns() {
    boolean[] timestamp = new boolean[Schema.EVENTS.size()];
    for (int i = 0; i < timestamp.length; i++) {
      timestamp[i] = Schema.EVENTS.get(i).type().equals("TIMESTAMP");
    }
    return timestamp;
  }

  /** The raw IP must not survive inside the context JSON either. */
  private static ObjectNode storedContext(ObjectNode context, String truncatedIp) {
    if (!context.has("ip")) {
      return context;
    }
    ObjectNode copy = context.objectNode(); // shallow: the event itself stays untouched
    copy.setAll(context);
    if (truncatedIp == null) {
      copy.remove("ip");
    } else {
      copy.put("ip", truncatedIp);
    }
    return copy;
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

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformedPercentEscape) {
      return text;
    }
  }

  private static String campaignValue(JsonNode campaign, String field, Map<String, String> urlParams, String param) {
    String value = nonEmpty(text(campaign, field));
    return value != null ? value : nonEmpty(urlParams.get(param));
  }

  /** context.page first; for page calls the spec also allows the same fields in properties. */
  private static String firstText(JsonNode page, JsonNode pageProperties, String field) {
    String value = text(page, field);
    if (value == null && pageProperties != null) {
      value = text(pageProperties, field);
    }
    return value;
  }

  private static String text(JsonNode parent, String field) {
    JsonNode node = parent.get(field);
    return node != null && node.isValueNode() && !node.isNull() ? node.asText() : null;
  }

  private static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
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
