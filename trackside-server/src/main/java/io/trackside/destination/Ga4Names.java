package io.trackside.destination;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * GA4's naming rules (protocols.md §2.3), shared by the mapping (which makes names valid) and
 * {@link Ga4Validation} (which checks them, as /debug/mp/collect does).
 *
 * <p>Sanitised names are lower snake_case ASCII: "Video Played" and "videoPlayed" both become
 * video_played, so one property's events line up in GA4 whatever the site's naming habit, and
 * custom dimensions can be registered under a predictable name.
 */
final class Ga4Names {

  static final int MAX_EVENT_NAME = 40;
  static final int MAX_PARAM_NAME = 40;
  static final int MAX_USER_PROPERTY_NAME = 24;

  /** Put before a name GA4 reserves, so the event still arrives under a recognisable name. */
  static final String RESERVED_PREFIX_ESCAPE = "ts_";

  /** The Measurement Protocol reference's reserved event names (not exhaustive, per Google). */
  static final Set<String> RESERVED_EVENTS = Set.of(
      "ad_activeview", "ad_click", "ad_exposure", "ad_impression", "ad_query", "ad_reward", "adunit_exposure",
      "app_background", "app_clear_data", "app_exception", "app_install", "app_remove", "app_store_refund",
      "app_store_subscription_cancel", "app_store_subscription_convert", "app_store_subscription_renew",
      "app_update", "app_upgrade", "dynamic_link_app_open", "dynamic_link_app_update", "dynamic_link_first_open",
      "error", "firebase_campaign", "firebase_in_app_message_action", "firebase_in_app_message_dismiss",
      "firebase_in_app_message_impression", "first_open", "first_visit", "in_app_purchase",
      "notification_dismiss", "notification_foreground", "notification_open", "notification_receive",
      "os_update", "session_start", "session_start_with_rollout", "user_engagement");

  static final Set<String> RESERVED_PARAMS = Set.of("firebase_conversion");

  static final Set<String> RESERVED_USER_PROPERTIES = Set.of(
      "first_open_time", "first_visit_time", "last_deep_link_referrer", "user_id", "first_open_after_install");

  /** Reserved for event, parameter and user-property names alike. */
  static final List<String> RESERVED_PREFIXES = List.of("google_", "ga_", "firebase_");

  private Ga4Names() {
  }

  /** Letters, digits and underscores, starting with a letter, at most {@code max} characters. */
  static boolean wellFormed(String name, int max) {
    if (name == null || name.isEmpty() || name.length() > max || !isAsciiLetter(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '_') {
        return false;
      }
    }
    return true;
  }

  static boolean hasReservedPrefix(String name) {
    for (String prefix : RESERVED_PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  static boolean reservedEvent(String name) {
    return RESERVED_EVENTS.contains(name) || hasReservedPrefix(name);
  }

  static boolean reservedParam(String name) {
    return RESERVED_PARAMS.contains(name) || hasReservedPrefix(name);
  }

  static boolean reservedUserProperty(String name) {
    return RESERVED_USER_PROPERTIES.contains(name) || hasReservedPrefix(name);
  }

  /** An event name GA4 accepts and does not reserve, or null when nothing usable is left ("注文"). */
  static String eventName(String raw) {
    String name = snakeCase(raw);
    if (name == null) {
      return null;
    }
    if (reservedEvent(name)) {
      name = RESERVED_PREFIX_ESCAPE + name;
    }
    return truncate(name, MAX_EVENT_NAME);
  }

  /** A parameter name (also of item parameters), or null when nothing usable is left. */
  static String paramName(String raw) {
    String name = snakeCase(raw);
    if (name == null) {
      return null;
    }
    if (reservedParam(name)) {
      name = RESERVED_PREFIX_ESCAPE + name;
    }
    return truncate(name, MAX_PARAM_NAME);
  }

  /**
   * A user-property name, or null when nothing usable is left or the name is reserved: reserved
   * user properties (user_id, first_visit_time) are GA4's own facts about the user, and a trait
   * of that name is not the same fact under another name, so it is skipped rather than renamed.
   */
  static String userPropertyName(String raw) {
    String name = snakeCase(raw);
    if (name == null || reservedUserProperty(name)) {
      return null;
    }
    return truncate(name, MAX_USER_PROPERTY_NAME);
  }

  /**
   * Lower snake_case ASCII: accents removed ("Café" → cafe), a word break before an upper-case
   * letter that follows a lower-case one (camelCase), any run of other characters →
   * one underscore, no underscores at the ends, and {@value #RESERVED_PREFIX_ESCAPE} before a
   * leading digit (names start with a letter; "2fa_enabled" keeps its meaning as ts_2fa_enabled).
   * Null when no letter or digit is left.
   */
  static String snakeCase(String raw) {
    if (raw == null) {
      return null;
    }
    String ascii = Normalizer.normalize(raw, Normalizer.Form.NFD);
    StringBuilder out = new StringBuilder(ascii.length() + 4);
    char previous = ' ';
    for (int i = 0; i < ascii.length(); i++) {
      char c = ascii.charAt(i);
      if (Character.getType(c) == Character.NON_SPACING_MARK) {
        continue; // the accent of a decomposed letter
      }
      boolean letter = isAsciiLetter(c);
      boolean digit = c >= '0' && c <= '9';
      if (letter || digit) {
        boolean wordBreak = Character.isUpperCase(c) && Character.isLowerCase(previous);
        if (wordBreak && out.length() > 0 && out.charAt(out.length() - 1) != '_') {
          out.append('_');
        }
        out.append(Character.toLowerCase(c));
      } else if (out.length() > 0 && out.charAt(out.length() - 1) != '_') {
        out.append('_');
      }
      previous = c;
    }
    int end = out.length();
    while (end > 0 && out.charAt(end - 1) == '_') {
      end--;
    }
    if (end == 0) {
      return null;
    }
    String name = out.substring(0, end).toLowerCase(Locale.ROOT);
    return isDigit(name.charAt(0)) ? RESERVED_PREFIX_ESCAPE + name : name;
  }

  private static String truncate(String name, int max) {
    if (name.length() <= max) {
      return name;
    }
    String cut = name.substring(0, max);
    int end = cut.length();
    while (cut.charAt(end - 1) == '_') {
      end--; // never ends in "_" after the cut: "order_" reads as a mistake
    }
    return cut.substring(0, end);
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
