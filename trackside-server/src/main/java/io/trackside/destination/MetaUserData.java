package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Meta's {@code user_data} for one event, from what the event itself carries: a destination keeps
 * no state between events, so a track call only matches on the traits the site sends with it
 * (in {@code context.traits}) and on the ids, address, browser and cookies of the event.
 *
 * <ul>
 *   <li>hashed ({@link MetaMatchKeys}), as arrays since Meta accepts several values per key:
 *       em, ph, fn, ln, ct, st, zp, country from the traits and then context.traits (also
 *       traits.address, Segment's reserved address trait), external_id from userId;</li>
 *   <li>as they are: client_ip_address (the address as the pipeline stored it, truncated unless
 *       the operator keeps full addresses), client_user_agent, fbc and fbp.</li>
 * </ul>
 */
final class MetaUserData {

  /** fb.{subdomain index}.{creation time ms}.{fbclid or random}, possibly with a builder's suffix. */
  private static final Pattern FB_COOKIE = Pattern.compile("fb\\.\\d+\\.\\d+\\..+");

  private MetaUserData() {
  }

  static ObjectNode of(DeliveryEvent e) {
    ObjectNode user = JsonNodeFactory.instance.objectNode();
    put(user, "em", values(e, List.of("email")), MetaMatchKeys::email);
    put(user, "ph", values(e, List.of("phone")), MetaMatchKeys::phone);
    put(user, "fn", values(e, List.of("firstName", "first_name")), MetaMatchKeys::name);
    put(user, "ln", values(e, List.of("lastName", "last_name")), MetaMatchKeys::name);
    put(user, "ct", values(e, List.of("city")), MetaMatchKeys::city);
    put(user, "st", values(e, List.of("state")), MetaMatchKeys::state);
    put(user, "zp", values(e, List.of("postalCode", "postal_code", "zip")), MetaMatchKeys::zip);
    put(user, "country", values(e, List.of("country")), MetaMatchKeys::country);
    if (e.userId() != null) {
      put(user, "external_id", Set.of(e.userId()), MetaMatchKeys::externalId);
    }
    putText(user, "client_ip_address", e.ip());
    putText(user, "client_user_agent", e.userAgent());
    putText(user, "fbc", fbc(e));
    putText(user, "fbp", cookie(e, "fbp"));
    return user;
  }

  /**
   * Whether Meta can match the event to a person: an identifier of its own (em, ph, external_id,
   * fbc, fbp), the address together with the browser, or a name with an address or place. Meta
   * asks for "at least one customer information parameter"; since its v13.0 combination rules
   * the browser alone (which every website event carries) no longer counts.
   */
  static boolean matchable(ObjectNode user) {
    return user.has("em") || user.has("ph") || user.has("external_id") || user.has("fbc") || user.has("fbp")
        || (user.has("client_ip_address") && user.has("client_user_agent"))
        || ((user.has("fn") || user.has("ln")) && (user.has("zp") || user.has("ct") || user.has("country")));
  }

  /**
   * The _fbc cookie's value when the site sends it, else one built from the landing URL's fbclid
   * the way the pixel builds the cookie: fb.1.{when the click arrived, ms}.{fbclid unaltered}.
   * The arrival time is the event's receivedAt, so a retried or replayed event builds the same.
   */
  static String fbc(DeliveryEvent e) {
    String cookie = cookie(e, "fbc");
    if (cookie != null) {
      return cookie;
    }
    String fbclid = e.clickIds().get("fbclid");
    if (fbclid == null || fbclid.isBlank()) {
      return null;
    }
    Instant clicked = e.receivedAt() != null ? e.receivedAt() : e.timestamp();
    return clicked == null ? null : "fb.1." + clicked.toEpochMilli() + "." + fbclid;
  }

  /**
   * The _fbc / _fbp cookie value the site passed along, looked for in properties.{fbc,fbp}, then
   * context.{fbc,fbp}, then context.cookies.{_fbc,_fbp}; only values shaped like Meta's cookies.
   */
  static String cookie(DeliveryEvent e, String name) {
    for (JsonNode node : List.of(e.properties().path(name), e.context().path(name),
        e.context().path("cookies").path("_" + name))) {
      if (node.isTextual() && FB_COOKIE.matcher(node.textValue().strip()).matches()) {
        return node.textValue().strip();
      }
    }
    return null;
  }

  /** The trait's values (a text, a number, or an array of them) in traits, context.traits and their address. */
  private static Set<String> values(DeliveryEvent e, List<String> names) {
    Set<String> values = new LinkedHashSet<>();
    JsonNode contextTraits = e.context().path("traits");
    for (JsonNode traits : List.of(e.traits(), contextTraits, e.traits().path("address"),
        contextTraits.path("address"))) {
      for (String name : names) {
        JsonNode value = traits.path(name);
        if (value.isArray()) {
          value.forEach(element -> addScalar(values, element));
        } else {
          addScalar(values, value);
        }
      }
    }
    return values;
  }

  private static void addScalar(Set<String> values, JsonNode node) {
    if ((node.isTextual() || node.isNumber()) && !node.asText().isBlank()) {
      values.add(node.asText());
    }
  }

  private static void put(ObjectNode user, String key, Set<String> raw, UnaryOperator<String> hash) {
    Set<String> hashes = new LinkedHashSet<>();
    for (String value : raw) {
      String hashed = hash.apply(value);
      if (hashed != null) {
        hashes.add(hashed);
      }
    }
    if (!hashes.isEmpty()) {
      hashes.forEach(user.putArray(key)::add);
    }
  }

  private static void putText(ObjectNode user, String key, String value) {
    if (value != null && !value.isBlank()) {
      user.put(key, value);
    }
  }
}
