package io.trackside.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * One gtag.js event — a hit's shared parameters with one line's merged over them — as the
 * canonical Segment-shaped event (docs/GTAG.md has the whole table):
 * <ul>
 *   <li>{@code page_view} is a page call; GA4's recommended e-commerce and sign-up/login events
 *       are the Segment spec's events ({@link GtagNames}); any other name is a track event
 *       under that name;</li>
 *   <li>{@code ep.*} are text properties, {@code epn.*} numeric ones, {@code cu} the currency,
 *       items ({@code pr1…}) the spec's {@code products} (or, for a single-product event, its
 *       properties); {@code up.*}/{@code upn.*} are {@code context.traits};</li>
 *   <li>{@code cid} is the anonymousId, {@code uid} the userId; the rest goes to
 *       {@link GtagContext}, and every parameter nothing reads is kept as sent under
 *       {@code context.ga.other} (raw is kept).</li>
 * </ul>
 * A hit without {@code cid} and {@code uid} — gtag.js sends no client id while analytics
 * storage is denied — is marked cookieless, so the pipeline gives it a daily visitor id instead
 * of quarantining it. No timestamp is set: gtag sends none, so the event happened when received.
 */
final class GtagEvents {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private GtagEvents() {
  }

  static ObjectNode event(Map<String, String> p, String messageId) {
    ObjectNode event = NODES.objectNode();
    String name = GtagContext.nonEmpty(p.get("en"));
    String spec = name == null ? null : GtagNames.specEvent(name);
    boolean page = "page_view".equals(name);
    event.put("type", page ? "page" : "track");
    if (!page && name != null) {
      event.put("event", spec != null ? spec : name);
    }
    event.put("messageId", messageId);
    GtagContext.putText(event, "anonymousId", p.get("cid"));
    GtagContext.putText(event, "userId", p.get("uid"));

    ObjectNode properties = event.putObject("properties");
    ObjectNode context = GtagContext.of(p);
    ObjectNode traits = NODES.objectNode();
    ObjectNode other = NODES.objectNode();
    if (page) {
      context.path("page").properties().forEach(field -> properties.set(field.getKey(), field.getValue()));
    }
    GtagContext.putText(properties, "currency", p.get("cu"));
    for (Map.Entry<String, String> param : p.entrySet()) {
      String key = param.getKey();
      String value = param.getValue();
      if (key.startsWith("ep.")) {
        putNamed(properties, key.substring(3), value.isEmpty() ? null : NODES.textNode(value));
      } else if (key.startsWith("epn.")) {
        putNamed(properties, key.substring(4), GtagValues.number(value));
      } else if (key.startsWith("up.")) {
        putNamed(traits, key.substring(3), value.isEmpty() ? null : NODES.textNode(value));
      } else if (key.startsWith("upn.")) {
        putNamed(traits, key.substring(4), GtagValues.number(value));
      } else if (!mapped(key)) {
        other.put(key, value);
      }
    }
    if (spec != null) {
      GtagNames.renameProperties(name, properties);
    }
    putProducts(name, spec != null, properties, GtagItems.products(p));
    if (!traits.isEmpty()) {
      context.set("traits", traits);
    }
    if (!other.isEmpty()) {
      ((ObjectNode) context.get("ga")).set("other", other);
    }
    if (GtagContext.nonEmpty(p.get("cid")) == null && GtagContext.nonEmpty(p.get("uid")) == null) {
      context.putObject("trackside").put("cookieless", true);
    }
    event.set("context", context);
    return event;
  }

  /**
   * A single-product spec event gets its first item's fields as properties (the hit's own
   * parameters win), and all items as {@code products} only when there are more; every other
   * event gets them as {@code products}.
   */
  private static void putProducts(String name, boolean spec, ObjectNode properties, List<ObjectNode> products) {
    if (products.isEmpty()) {
      return;
    }
    boolean single = spec && GtagNames.SINGLE_PRODUCT.contains(name);
    if (single) {
      products.get(0).properties().forEach(field -> {
        if (!properties.has(field.getKey())) {
          properties.set(field.getKey(), field.getValue().deepCopy());
        }
      });
    }
    if (!single || products.size() > 1) {
      ArrayNode array = properties.putArray("products");
      products.forEach(array::add);
    }
  }

  private static void putNamed(ObjectNode node, String name, JsonNode value) {
    if (!name.isEmpty() && value != null) {
      node.set(name, value);
    }
  }

  /**
   * Read by this class or {@link GtagContext}; {@code em} (enhanced conversions' hashed e-mail
   * and phone) is deliberately dropped: personal data no step here reads, which an erasure
   * could not find either.
   */
  private static boolean mapped(String key) {
    return GtagContext.MAPPED.contains(key) || key.equals("en") || key.equals("cu") || key.equals("em")
        || GtagItems.itemNumber(key) > 0;
  }

  /**
   * The same hit always gets the same id, so a retried hit is stored once: the measurement id,
   * client (or user) id, page-load id {@code _p}, hit sequence {@code _s} and the line's index
   * name one event of one page load. Without {@code _p} and {@code _s} (not gtag.js itself) the
   * hit's own text stands in for them, so only an identical hit counts as a repeat.
   */
  static String messageId(Map<String, String> p, int line, String rawQuery, String rawLine) {
    String pageLoad = GtagContext.nonEmpty(p.get("_p"));
    String sequence = GtagContext.nonEmpty(p.get("_s"));
    String key;
    if (pageLoad != null && sequence != null) {
      key = String.join("\u0000", "gtag", value(p, "tid"), value(p, "cid"), value(p, "uid"), pageLoad, sequence,
          Integer.toString(line));
    } else {
      key = String.join("\u0000", "gtag-raw", rawQuery == null ? "" : rawQuery, rawLine == null ? "" : rawLine,
          Integer.toString(line));
    }
    return "gtag-" + UserDataHashing.sha256Hex(key).substring(0, 32);
  }

  private static String value(Map<String, String> p, String name) {
    String value = p.get(name);
    return value == null ? "" : value;
  }
}
