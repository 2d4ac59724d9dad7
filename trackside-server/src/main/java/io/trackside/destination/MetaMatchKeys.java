package io.trackside.destination;

import io.trackside.core.UserDataHashing;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Meta's hashed customer-information parameters, each normalised the way Meta matches it
 * (protocols.md §4.3: Meta's parameter docs and the Business SDK's normalize.py) and then hashed
 * as lower-case hex SHA-256 of the UTF-8 bytes. A value that already is a 64-hex SHA-256 (the PII
 * step hashes e-mail addresses and phone numbers by default) is passed through lower-cased: it
 * must not be normalised, which would strip its digits, nor hashed again.
 *
 * <p>Every method returns null for a value that normalises to nothing useful; sending a hash of
 * an empty or malformed value would only lower the event's match quality.
 */
final class MetaMatchKeys {

  private static final Pattern EMAIL = Pattern.compile("[^\\s@]+@[^\\s@]+\\.[^\\s@]+");
  private static final Pattern US_ZIP_PLUS_4 = Pattern.compile("(\\d{5})-\\d{4}");
  private static final Map<String, String> COUNTRIES = countryNames();

  private MetaMatchKeys() {
  }

  /** em: trimmed, lower-case (UserDataHashing's Meta flavour); not an address → null. */
  static String email(String raw) {
    String value = raw.strip();
    if (UserDataHashing.isSha256Hex(value)) {
      return value.toLowerCase(Locale.ROOT);
    }
    return EMAIL.matcher(UserDataHashing.normalizeEmail(value)).matches() ? UserDataHashing.hashEmail(value) : null;
  }

  /**
   * ph: the digits with the country code, no "+" or leading "00" (UserDataHashing's Meta
   * flavour). Fewer than 7 digits cannot be a phone number with its country code.
   */
  static String phone(String raw) {
    String value = raw.strip();
    if (UserDataHashing.isSha256Hex(value)) {
      return value.toLowerCase(Locale.ROOT);
    }
    return UserDataHashing.normalizePhone(value).length() < 7 ? null : UserDataHashing.hashPhone(value);
  }

  /** fn, ln: lower-case letters only ("Mary-Ann" → "maryann"); letters outside a-z stay, in UTF-8. */
  static String name(String raw) {
    return hashed(raw, MetaMatchKeys::lettersOnly);
  }

  /** ct: lower-case letters only, without spaces, digits or punctuation ("San Francisco" → "sanfrancisco"). */
  static String city(String raw) {
    return hashed(raw, MetaMatchKeys::lettersOnly);
  }

  /** st: lower-case letters only; Meta wants the 2-letter code for US states ("CA" → "ca"). */
  static String state(String raw) {
    return hashed(raw, MetaMatchKeys::lettersOnly);
  }

  /** zp: see {@link #normalizeZip}. */
  static String zip(String raw) {
    return hashed(raw, MetaMatchKeys::normalizeZip);
  }

  /** country: see {@link #normalizeCountry}. */
  static String country(String raw) {
    return hashed(raw, MetaMatchKeys::normalizeCountry);
  }

  /**
   * external_id: Meta only recommends hashing it and prescribes no normalisation; trimmed and
   * lower-cased (UserDataHashing.hashText) so it hashes the same as the id the site passes to the
   * pixel's advanced matching.
   */
  static String externalId(String raw) {
    return raw.isBlank() ? null : UserDataHashing.hashText(raw);
  }

  /** Lower-case letters, NFC-composed so "é" typed either way hashes the same; null when none. */
  static String lettersOnly(String raw) {
    String composed = Normalizer.normalize(raw, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    StringBuilder letters = new StringBuilder(composed.length());
    composed.codePoints().filter(Character::isLetter).forEach(letters::appendCodePoint);
    return letters.isEmpty() ? null : letters.toString();
  }

  /**
   * Lower-case, no spaces; a US ZIP+4 becomes its first 5 digits ("94035-1234" → "94035") and
   * other dashes are dropped ("00-950" → "00950"). Meta's docs say "no spaces and no dash, first
   * 5 digits for US zip codes"; the SDK cuts at the first dash, which would turn a Polish or
   * Japanese postcode into its first half, so only the ZIP+4 shape is cut.
   */
  static String normalizeZip(String raw) {
    String compact = raw.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
    var zipPlus4 = US_ZIP_PLUS_4.matcher(compact);
    String zip = zipPlus4.matches() ? zipPlus4.group(1) : compact.replace("-", "");
    return zip.isEmpty() ? null : zip;
  }

  /**
   * ISO 3166-1 alpha-2, lower-case ("US" → "us"). Alpha-3 codes and English names ("DEU",
   * "United States") are translated with the JDK's country list, since Meta only matches the
   * 2-letter code; anything else is null rather than a hash Meta cannot match.
   */
  static String normalizeCountry(String raw) {
    String letters = lettersOnly(raw);
    return letters == null ? null : COUNTRIES.get(letters);
  }

  private static String hashed(String raw, java.util.function.UnaryOperator<String> normalize) {
    String value = raw.strip();
    if (UserDataHashing.isSha256Hex(value)) {
      return value.toLowerCase(Locale.ROOT);
    }
    String normalized = normalize.apply(value);
    return normalized == null ? null : UserDataHashing.sha256Hex(normalized);
  }

  private static Map<String, String> countryNames() {
    Map<String, String> names = new HashMap<>();
    for (String code : Locale.getISOCountries()) {
      Locale country = new Locale("", code);
      String alpha2 = code.toLowerCase(Locale.ROOT);
      names.put(alpha2, alpha2);
      names.put(country.getISO3Country().toLowerCase(Locale.ROOT), alpha2);
      String english = lettersOnly(country.getDisplayCountry(Locale.ENGLISH));
      if (english != null) {
        names.putIfAbsent(english, alpha2);
      }
    }
    names.put("uk", "gb"); // not ISO, but what British sites write
    names.put("usa", "us");
    return Map.copyOf(names);
  }
}
