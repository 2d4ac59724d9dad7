package io.trackside.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Normalising and hashing user data (e-mail addresses, phone numbers) the way the ad platforms
 * match it: the PII step uses it to store hashes, and destinations use it to build Meta's and
 * GA4's {@code user_data}. Hashing is lower-case hex SHA-256 of the UTF-8 normalised value, and
 * is idempotent: a value that already is 64 hex digits is taken as a hash and only lower-cased.
 *
 * <p>Meta and Google disagree in two details, so each has its own flavour:
 * <ul>
 *   <li>e-mail: both trim and lower-case; Google also removes the dots before the {@code @} of
 *       gmail.com and googlemail.com addresses (protocols.md §2.4), Meta does not (§4.3);</li>
 *   <li>phone: Meta wants the digits with the country code and no {@code +} (the SDK strips
 *       spaces, dashes, brackets, a leading {@code +} and a leading {@code 00}); Google wants
 *       E.164, which is the same digits behind a {@code +}.</li>
 * </ul>
 * The hashes stored by the pipeline use the Meta flavour (trim + lower-case, digits only): it is
 * what Meta, TikTok, LinkedIn, Pinterest and Snap all expect. A destination that needs Google's
 * flavour needs the raw value (keep the field), since one hash cannot be turned into another.
 */
public final class UserDataHashing {

  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  });

  private UserDataHashing() {
  }

  /** E-mail as Meta (and most ad platforms) match it: trimmed, lower-case. */
  public static String normalizeEmail(String raw) {
    return raw.strip().toLowerCase(Locale.ROOT);
  }

  /** E-mail as Google (GA4 user_data, enhanced conversions) matches it: also no dots before @ at gmail.com / googlemail.com. */
  public static String normalizeEmailForGoogle(String raw) {
    String email = normalizeEmail(raw);
    int at = email.lastIndexOf('@');
    if (at > 0) {
      String domain = email.substring(at + 1);
      if (domain.equals("gmail.com") || domain.equals("googlemail.com")) {
        return email.substring(0, at).replace(".", "") + email.substring(at);
      }
    }
    return email;
  }

  /**
   * Phone as Meta matches it: the digits only, a leading international {@code 00} removed (so
   * "+49 151 2345-678", "0049 1512345678" and "49 (151) 2345678" agree). A number written
   * without its country code stays without it: nothing here can know the country.
   */
  public static String normalizePhone(String raw) {
    StringBuilder digits = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c >= '0' && c <= '9') {
        digits.append(c);
      }
    }
    String plus = raw.strip();
    if (!plus.startsWith("+") && digits.length() > 2 && digits.charAt(0) == '0' && digits.charAt(1) == '0') {
      digits.delete(0, 2);
    }
    return digits.toString();
  }

  /** Phone in E.164 as Google expects it: {@code +} and the digits of {@link #normalizePhone}. */
  public static String normalizePhoneForGoogle(String raw) {
    String digits = normalizePhone(raw);
    return digits.isEmpty() ? "" : "+" + digits;
  }

  /** Lower-case hex SHA-256 of the UTF-8 bytes. */
  public static String sha256Hex(String normalized) {
    MessageDigest digest = SHA256.get();
    digest.reset();
    return HEX.formatHex(digest.digest(normalized.getBytes(StandardCharsets.UTF_8)));
  }

  /** True for exactly 64 hex digits (either case): a value that already is a SHA-256 hash. */
  public static boolean isSha256Hex(String value) {
    if (value == null || value.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      if (Character.digit(value.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The stored (Meta-flavoured) hash of an e-mail address; an existing hash is returned lower-cased. */
  public static String hashEmail(String raw) {
    String trimmed = raw.strip();
    return isSha256Hex(trimmed) ? trimmed.toLowerCase(Locale.ROOT) : sha256Hex(normalizeEmail(trimmed));
  }

  public static String hashEmailForGoogle(String raw) {
    String trimmed = raw.strip();
    return isSha256Hex(trimmed) ? trimmed.toLowerCase(Locale.ROOT) : sha256Hex(normalizeEmailForGoogle(trimmed));
  }

  /** The stored (Meta-flavoured) hash of a phone number; an existing hash is returned lower-cased. */
  public static String hashPhone(String raw) {
    String trimmed = raw.strip();
    return isSha256Hex(trimmed) ? trimmed.toLowerCase(Locale.ROOT) : sha256Hex(normalizePhone(trimmed));
  }

  public static String hashPhoneForGoogle(String raw) {
    String trimmed = raw.strip();
    return isSha256Hex(trimmed) ? trimmed.toLowerCase(Locale.ROOT) : sha256Hex(normalizePhoneForGoogle(trimmed));
  }

  /** Any other value (a name, a customer number): trimmed and lower-cased, then hashed; an existing hash is kept. */
  public static String hashText(String raw) {
    String trimmed = raw.strip();
    return isSha256Hex(trimmed) ? trimmed.toLowerCase(Locale.ROOT) : sha256Hex(trimmed.toLowerCase(Locale.ROOT));
  }
}
