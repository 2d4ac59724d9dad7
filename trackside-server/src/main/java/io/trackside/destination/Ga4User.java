package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackside.core.UserDataHashing;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The request-level facts about the user: {@code consent}, hashed {@code user_data} and
 * {@code user_properties} (protocols.md §2.2, §2.4).
 */
final class Ga4User {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * Traits that identify a person: GA4's terms forbid sending them as user properties (they go,
   * hashed and with consent, in user_data instead). Matched on the sanitised name; any name with
   * "email" or "phone" in it is skipped too.
   */
  private static final Set<String> PERSONAL_TRAITS = Set.of("name", "first_name", "last_name", "full_name",
      "username", "user_name", "address", "street", "birthday", "date_of_birth", "dob", "ip", "id", "anonymous_id");

  private Ga4User() {
  }

  /**
   * Whether the visitor agreed that their data may be sent to Google for advertising
   * ({@code ad_user_data}) or used for personalised ads ({@code ad_personalization}). The
   * pipeline's consent set holds only granted purposes, so a denial shows as an absence:
   * <ul>
   *   <li>the Google consent type itself in the set grants it;</li>
   *   <li>the general {@code advertising} purpose grants both, but only when the set has no
   *       {@code ad_storage}: a set with ad_storage came from Google consent mode or a TCF string,
   *       which state ad_user_data and ad_personalization themselves, so their absence there is a
   *       refusal that the general purpose must not overrule.</li>
   * </ul>
   */
  static boolean granted(Set<String> consent, String googleType) {
    return consent.contains(googleType) || (consent.contains("advertising") && !consent.contains("ad_storage"));
  }

  /**
   * {@code {ad_user_data, ad_personalization}} as GRANTED/DENIED; null when the event carried no
   * consent signal at all: then GA4 applies the property's own defaults, as for a gtag hit
   * without consent mode, instead of being told a refusal nobody expressed.
   */
  static ObjectNode consent(DeliveryEvent e) {
    if (!e.consentKnown()) {
      return null;
    }
    ObjectNode consent = NODES.objectNode();
    consent.put("ad_user_data", granted(e.consent(), "ad_user_data") ? "GRANTED" : "DENIED");
    consent.put("ad_personalization", granted(e.consent(), "ad_personalization") ? "GRANTED" : "DENIED");
    return consent;
  }

  /**
   * Hashed e-mail, phone and address from the traits, with Google's normalisation
   * ({@link UserDataHashing#hashEmailForGoogle}, E.164 phone); null unless the visitor granted
   * ad_user_data (known consent only) or when the traits hold none.
   *
   * <p>A value that already is a SHA-256 hash is passed on as it is. The pipeline hashes with
   * Meta's normalisation, which differs from Google's for phone numbers (no "+") and gmail
   * addresses with dots, so such a hash will not match in Google's systems; the docs say how to
   * keep the raw value for GA4 to hash.
   */
  static ObjectNode userData(DeliveryEvent e) {
    if (!e.consentKnown() || !granted(e.consent(), "ad_user_data")) {
      return null;
    }
    ObjectNode data = NODES.objectNode();
    String email = e.trait("email");
    if (email != null && !email.isBlank()) {
      data.putArray("sha256_email_address").add(UserDataHashing.hashEmailForGoogle(email));
    }
    String phone = e.trait("phone");
    if (phone != null && usablePhone(phone)) {
      data.putArray("sha256_phone_number").add(UserDataHashing.hashPhoneForGoogle(phone));
    }
    ObjectNode address = address(e);
    if (address != null) {
      data.putArray("address").add(address);
    }
    return data.isEmpty() ? null : data;
  }

  /**
   * A hash, or a number with its country code: a national number ("0151 …") would become
   * "+0151…", which is no E.164 number and can never match, and nothing here knows the country.
   */
  private static boolean usablePhone(String phone) {
    if (UserDataHashing.isSha256Hex(phone.strip())) {
      return true;
    }
    String e164 = UserDataHashing.normalizePhoneForGoogle(phone);
    return e164.length() >= 8 && !e164.startsWith("+0");
  }

  private static ObjectNode address(DeliveryEvent e) {
    JsonNode place = e.traits().path("address");
    if (!place.isObject()) {
      place = e.context().path("traits").path("address");
    }
    ObjectNode address = NODES.objectNode();
    putHash(address, "sha256_first_name", first(e.trait("firstName"), e.trait("first_name")));
    putHash(address, "sha256_last_name", first(e.trait("lastName"), e.trait("last_name")));
    putHash(address, "sha256_street", text(place.path("street")));
    // Google takes these in clear; a hashed one (the operator's PII policy) would only mislead.
    putPlain(address, "city", text(place.path("city")));
    putPlain(address, "region", first(text(place.path("state")), text(place.path("region"))));
    putPlain(address, "postal_code", first(text(place.path("postalCode")), text(place.path("postal_code"))));
    String country = text(place.path("country"));
    if (country != null && country.length() == 2) {
      address.put("country", country.toUpperCase(Locale.ROOT));
    }
    return address.isEmpty() ? null : address;
  }

  /**
   * Scalar traits (context.traits, then the event's traits over them) as user properties:
   * names sanitised to at most 24 characters, text cut to 36, at most 25, reserved names and
   * anything personal skipped (names like email/phone/first_name, values with an "@" or that are
   * hashes). Null when none are left.
   */
  static ObjectNode userProperties(DeliveryEvent e) {
    Map<String, JsonNode> traits = new LinkedHashMap<>();
    e.context().path("traits").properties().forEach(t -> traits.put(t.getKey(), t.getValue()));
    e.traits().properties().forEach(t -> traits.put(t.getKey(), t.getValue()));
    ObjectNode properties = NODES.objectNode();
    for (Map.Entry<String, JsonNode> trait : traits.entrySet()) {
      if (properties.size() == Ga4Validation.MAX_USER_PROPERTIES) {
        break;
      }
      String name = Ga4Names.userPropertyName(trait.getKey());
      JsonNode value = Ga4Params.scalar(trait.getValue(), Ga4Validation.MAX_USER_PROPERTY_VALUE);
      if (name == null || value == null || properties.has(name) || personal(name, trait.getValue())) {
        continue;
      }
      properties.putObject(name).set("value", value);
    }
    return properties.isEmpty() ? null : properties;
  }

  private static boolean personal(String name, JsonNode value) {
    if (PERSONAL_TRAITS.contains(name) || name.contains("email") || name.contains("phone")) {
      return true;
    }
    String text = value.asText();
    return text.indexOf('@') >= 0 || UserDataHashing.isSha256Hex(text);
  }

  private static void putHash(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, UserDataHashing.hashText(value));
    }
  }

  private static void putPlain(ObjectNode node, String field, String value) {
    if (value != null && !UserDataHashing.isSha256Hex(value)) {
      node.put(field, value);
    }
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  private static String text(JsonNode node) {
    if (node.isMissingNode() || node.isNull() || node.isContainerNode()) {
      return null;
    }
    String text = node.asText().strip();
    return text.isEmpty() ? null : text;
  }
}
