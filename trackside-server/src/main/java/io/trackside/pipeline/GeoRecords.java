package io.trackside.pipeline;

import java.util.List;
import java.util.Map;

/**
 * Reads a MaxMind DB record, decoded generically into maps, in either layout in use:
 *
 * <ul>
 *   <li>MaxMind's GeoIP2/GeoLite2 (and DB-IP's MMDBs, which copy it): {@code country.iso_code},
 *       {@code subdivisions[0].names.en}, {@code city.names.en}; ASN databases
 *       {@code autonomous_system_number};</li>
 *   <li>the flat records of the {@code @ip-location-db/*-mmdb} packages: {@code country_code},
 *       and in the city variant {@code state1} and {@code city} as plain strings (empty when
 *       unknown).</li>
 * </ul>
 *
 * <p>The layout is recognised per record by the types of its values rather than once from the
 * database's metadata: {@code city} is a map in one and a string in the other, and a database
 * type string says nothing reliable about the layout.
 */
final class GeoRecords {

  /** Longer names than this are not place names; the field is left unset. */
  static final int MAX_NAME_LENGTH = 100;

  private GeoRecords() {
  }

  /** The place in a location record, or {@link Place#UNKNOWN} when it names no valid country. */
  static Place place(Map<?, ?> record) {
    if (record == null) {
      return Place.UNKNOWN;
    }
    Object country = record.get("country");
    String code = country instanceof Map<?, ?> geoip2 ? text(geoip2.get("iso_code")) : text(record.get("country_code"));
    if (code == null && country instanceof String flat) {
      code = text(flat);
    }
    code = countryCode(code);
    if (code == null) {
      return Place.UNKNOWN;
    }
    String region;
    if (record.get("subdivisions") instanceof List<?> subdivisions) {
      region = subdivisions.isEmpty() || !(subdivisions.get(0) instanceof Map<?, ?> first) ? null : englishName(first);
    } else {
      region = text(record.get("state1"));
    }
    Object city = record.get("city");
    String cityName = city instanceof Map<?, ?> geoip2 ? englishName(geoip2) : text(city);
    return new Place(code, region, cityName);
  }

  /**
   * The autonomous system number in an ASN record, or 0: {@code autonomous_system_number}
   * (MaxMind's GeoLite2-ASN, ip-location-db's asn-mmdb) or {@code asn} as a number or as
   * "AS15169" (IPinfo's free databases).
   */
  static long asn(Map<?, ?> record) {
    if (record == null) {
      return 0;
    }
    Object value = record.get("autonomous_system_number");
    if (value == null) {
      value = record.get("asn");
    }
    if (value instanceof Number number) {
      long asn = number.longValue();
      return asn > 0 && asn <= 0xFFFF_FFFFL ? asn : 0;
    }
    String text = text(value);
    if (text == null) {
      return 0;
    }
    if (text.regionMatches(true, 0, "AS", 0, 2)) {
      text = text.substring(2);
    }
    return parseAsn(text);
  }

  /** A 32-bit AS number in decimal, or 0. */
  static long parseAsn(String text) {
    if (text.isEmpty() || text.length() > 10) {
      return 0;
    }
    long asn = 0;
    for (int i = 0; i < text.length(); i++) {
      int digit = text.charAt(i) - '0';
      if (digit < 0 || digit > 9) {
        return 0;
      }
      asn = asn * 10 + digit;
    }
    return asn <= 0xFFFF_FFFFL ? asn : 0;
  }

  /**
   * Two ASCII letters, upper-cased; anything else (null, "", "EU"-style three-letter junk) is
   * null. "ZZ" and "XX" are the databases' "unknown", not a country.
   */
  static String countryCode(String code) {
    if (code == null || code.length() != 2) {
      return null;
    }
    char a = Character.toUpperCase(code.charAt(0));
    char b = Character.toUpperCase(code.charAt(1));
    if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z' || (a == 'Z' && b == 'Z') || (a == 'X' && b == 'X')) {
      return null;
    }
    return a == code.charAt(0) && b == code.charAt(1) ? code : new String(new char[] {a, b});
  }

  private static String englishName(Map<?, ?> entity) {
    return entity.get("names") instanceof Map<?, ?> names ? text(names.get("en")) : null;
  }

  /** A non-blank string of sane length, trimmed; null for anything else (numbers, maps, ""). */
  private static String text(Object value) {
    if (!(value instanceof String s)) {
      return null;
    }
    String trimmed = s.strip();
    return trimmed.isEmpty() || trimmed.length() > MAX_NAME_LENGTH ? null : trimmed;
  }
}
