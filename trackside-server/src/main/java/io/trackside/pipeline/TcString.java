package io.trackside.pipeline;

/**
 * The fields of an IAB TCF v2 TC string's core segment that consent decisions need, decoded by
 * hand: the core segment is base64url of a fixed bit layout whose first 213 bits are all this
 * needs ("Consent string and vendor list formats v2", core segment). The IAB's own Java library
 * (com.iabtcf:iabtcf-decoder) decodes everything, vendors and publisher restrictions included;
 * reading seven fixed-width fields does not justify a dependency.
 *
 * <p>Bit layout (offset: width): Version 0:6 (2), Created 6:36, LastUpdated 42:36 (deciseconds),
 * CmpId 78:12, CmpVersion 90:12, ConsentScreen 102:6, ConsentLanguage 108:12, VendorListVersion
 * 120:12, TcfPolicyVersion 132:6, IsServiceSpecific 138:1, UseNonStandardTexts 139:1,
 * SpecialFeatureOptIns 140:12, PurposesConsent 152:24, PurposesLITransparency 176:24,
 * PurposeOneTreatment 200:1, PublisherCC 201:12.
 *
 * @param purposesConsent bit {@code n-1} set when purpose {@code n} (1..24) has consent
 * @param purposesLegitimateInterest bit {@code n-1} set when purpose {@code n} is established
 *                                   by legitimate interest (transparency given)
 */
record TcString(int version, long createdMillis, long lastUpdatedMillis, int cmpId, int vendorListVersion,
                int policyVersion, int purposesConsent, int purposesLegitimateInterest, String publisherCountry) {

  /** Core-segment bits needed: up to and including PublisherCC. */
  private static final int BITS_NEEDED = 213;
  /** A TC string is a few hundred characters; beyond this it is not one (and is not decoded). */
  private static final int MAX_LENGTH = 10_000;

  boolean purposeConsent(int purpose) {
    return purpose >= 1 && purpose <= 24 && (purposesConsent & (1 << (purpose - 1))) != 0;
  }

  /** The decoded core segment, or null when the text is not a TC string of version 2. Never throws. */
  static TcString decode(String text) {
    if (text == null) {
      return null;
    }
    String s = text.strip();
    if (s.isEmpty() || s.length() > MAX_LENGTH) {
      return null;
    }
    int dot = s.indexOf('.');
    int coreEnd = dot < 0 ? s.length() : dot;
    int chars = (BITS_NEEDED + 5) / 6;
    if (coreEnd < chars) {
      return null;
    }
    // Only the characters holding the first 213 bits are read: 36 characters, 216 bits.
    long[] words = new long[(chars * 6 + 63) / 64];
    for (int i = 0; i < chars; i++) {
      long sextet = sextet(s.charAt(i));
      if (sextet < 0) {
        return null;
      }
      int bit = i * 6;
      int shift = 58 - (bit & 63); // where the sextet's lowest bit lands in its (big-endian) word
      if (shift >= 0) {
        words[bit >> 6] |= sextet << shift;
      } else { // split across two words
        words[bit >> 6] |= sextet >>> -shift;
        words[(bit >> 6) + 1] |= sextet << (64 + shift);
      }
    }
    Bits bits = new Bits(words);
    int version = (int) bits.read(0, 6);
    if (version != 2) {
      return null;
    }
    return new TcString(version,
        bits.read(6, 36) * 100,
        bits.read(42, 36) * 100,
        (int) bits.read(78, 12),
        (int) bits.read(120, 12),
        (int) bits.read(132, 6),
        reversed24((int) bits.read(152, 24)),
        reversed24((int) bits.read(176, 24)),
        "" + letter(bits.read(201, 6)) + letter(bits.read(207, 6)));
  }

  /** In the string purpose 1 is the first (highest) bit; here it is bit 0. */
  private static int reversed24(int field) {
    return Integer.reverse(field) >>> 8;
  }

  private static char letter(long sixBits) {
    return (char) ('A' + sixBits);
  }

  /** base64url (the spec), tolerating standard base64's + and / as some CMPs emit them. */
  private static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '-' || c == '+') {
      return 62;
    }
    if (c == '_' || c == '/') {
      return 63;
    }
    return -1;
  }

  /** Big-endian bits: bit 0 is the highest bit of the first word. */
  private record Bits(long[] words) {
    /** width ≤ 36 bits from offset, as an unsigned number. */
    long read(int offset, int width) {
      int word = offset >> 6;
      int start = offset & 63;
      long high = words[word] << start; // the wanted bits now start at bit 63
      if (start + width > 64) {
        high |= words[word + 1] >>> (64 - start);
      }
      return high >>> (64 - width);
    }
  }
}
