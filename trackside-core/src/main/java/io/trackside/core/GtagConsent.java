package io.trackside.core;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Google consent mode as gtag.js states it in a hit, turned into {@code context.consent}'s
 * Google consent types ({@code ad_storage}, {@code analytics_storage}, {@code ad_user_data},
 * {@code ad_personalization} as "granted"/"denied"), where the pipeline's consent step reads them.
 *
 * <ul>
 *   <li>{@code gcs=G1<ad_storage><analytics_storage>}: 1 granted, 0 denied ({@code G100}: both
 *       denied). It is the state when the hit was sent, so it wins for those two.</li>
 *   <li>{@code gcd}, e.g. {@code 11p1t1p1t5} or {@code 13r3r3r2r5l1}: after two leading digits,
 *       one letter per type in the order ad_storage, analytics_storage, ad_user_data,
 *       ad_personalization, digits between them. A letter tells the default and the update:
 *       {@code t} (granted by default), {@code r} (denied, then granted), {@code n} (granted by an
 *       update), {@code v} (granted and granted again) mean granted; {@code p} (denied by
 *       default), {@code q} (denied twice), {@code m} (denied by an update), {@code u} (granted,
 *       then denied) denied; {@code l} not set. Reverse-engineered (protocols.md §3 is [3p]), so
 *       any other letter is read as "not stated" rather than guessed.</li>
 *   <li>{@code npa=1} (non-personalised ads) is a refusal of ad_personalization where gcd does
 *       not state it; {@code npa=0} states nothing.</li>
 * </ul>
 * No signal at all gives no consent object: unknown is not a refusal.
 */
final class GtagConsent {

  static final String[] TYPES = {"ad_storage", "analytics_storage", "ad_user_data", "ad_personalization"};

  private GtagConsent() {
  }

  /** @return the consent fields, or null when the hit states none */
  static ObjectNode of(String gcs, String gcd, String npa) {
    String[] state = new String[TYPES.length];
    fromGcd(gcd, state);
    fromGcs(gcs, state);
    if ("1".equals(npa) && state[3] == null) {
      state[3] = "denied";
    }
    ObjectNode consent = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i < TYPES.length; i++) {
      if (state[i] != null) {
        consent.put(TYPES[i], state[i]);
      }
    }
    return consent.isEmpty() ? null : consent;
  }

  private static void fromGcs(String gcs, String[] state) {
    if (gcs == null || gcs.length() != 4 || !gcs.startsWith("G1")) {
      return;
    }
    for (int i = 0; i < 2; i++) {
      char c = gcs.charAt(2 + i);
      if (c == '1' || c == '0') {
        state[i] = c == '1' ? "granted" : "denied";
      }
    }
  }

  private static void fromGcd(String gcd, String[] state) {
    if (gcd == null || gcd.length() < 3 || gcd.length() > 32) {
      return;
    }
    int type = 0;
    for (int i = 2; i < gcd.length() && type < TYPES.length; i++) {
      char c = gcd.charAt(i);
      if (c >= 'a' && c <= 'z') {
        state[type++] = letter(c);
      }
    }
  }

  private static String letter(char c) {
    return switch (c) {
      case 't', 'r', 'n', 'v' -> "granted";
      case 'p', 'q', 'm', 'u' -> "denied";
      default -> null;
    };
  }
}
