package io.trackside.dashboard;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The dashboard password as the config stores it: PBKDF2-HMAC-SHA256 from the JDK, a random
 * salt and many iterations, written {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} (base64).
 * A stolen config file then does not give the password away, and guessing it offline is slow.
 * The iteration count travels with the hash, so raising the default later keeps old hashes valid.
 */
public final class PasswordHash {
  /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about a quarter of a second per check on a small machine. */
  static final int DEFAULT_ITERATIONS = 600_000;
  private static final String PREFIX = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final SecureRandom RANDOM = new SecureRandom();

  private PasswordHash() {
  }

  public static String hash(String password) {
    return hash(password, DEFAULT_ITERATIONS);
  }

  static String hash(String password, int iterations) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
        + b64.encodeToString(derive(password, salt, iterations));
  }

  /** True when the text has the shape {@link #hash} writes (checked at start-up, so a typo fails fast). */
  public static boolean isWellFormed(String stored) {
    try {
      parse(stored);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether the password matches the stored hash; compares in constant time. */
  public static boolean matches(String stored, String password) {
    Parsed parsed = parse(stored);
    byte[] candidate = derive(password, parsed.salt(), parsed.iterations());
    return MessageDigest.isEqual(candidate, parsed.hash());
  }

  /** A password to print once on first start: 20 characters of base64url, about 120 bits. */
  public static String generatePassword() {
    byte[] bytes = new byte[15];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private record Parsed(int iterations, byte[] salt, byte[] hash) {
  }

  private static Parsed parse(String stored) {
    String[] parts = stored == null ? new String[0] : stored.trim().split("\\$");
    if (parts.length != 4 || !parts[0].equals(PREFIX)) {
      throw new IllegalArgumentException("a password hash looks like " + PREFIX + "$<iterations>$<salt>$<hash>"
          + " (make one with ./trackside hash-password)");
    }
    try {
      int iterations = Integer.parseInt(parts[1]);
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] hash = Base64.getDecoder().decode(parts[3]);
      if (iterations < 1 || salt.length < 8 || hash.length != HASH_BITS / 8) {
        throw new IllegalArgumentException("the password hash has a bad iteration count, salt or length");
      }
      return new Parsed(iterations, salt, hash);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the password hash's iteration count is not a number", e);
    }
  }

  private static byte[] derive(String password, byte[] salt, int iterations) {
    char[] chars = password.toCharArray();
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no PBKDF2WithHmacSHA256", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
    }
  }

}
