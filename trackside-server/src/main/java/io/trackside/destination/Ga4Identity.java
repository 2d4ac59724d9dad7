package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.core.UserDataHashing;

/**
 * Who an event is for, in GA4's terms: {@code client_id} (the browser), {@code session_id} and
 * {@code engagement_time_msec} (without both, GA4's realtime and session reports ignore
 * Measurement Protocol events, protocols.md §2.2).
 */
final class Ga4Identity {

  private Ga4Identity() {
  }

  /**
   * The client id of the site's own GA tag when the event carries it, so server-side and gtag
   * events of one browser are one GA4 user; else one derived from the visitor. Looked for in:
   * <ol>
   *   <li>{@code context.ga.clientId} — set by a snippet from {@code gtag('get', …, 'client_id')};</li>
   *   <li>{@code integrations["Google Analytics 4"].clientId}, then
   *       {@code integrations["Google Analytics"].clientId} — where Segment's own GA destinations
   *       read it;</li>
   *   <li>{@code context.cookies._ga} — the raw cookie, {@code GA1.1.1234567890.1700000000} →
   *       {@code 1234567890.1700000000}.</li>
   * </ol>
   * Null when the event has neither a GA id nor a visitor.
   */
  static String clientId(DeliveryEvent e, String measurementId) {
    JsonNode context = e.context();
    String explicit = text(context.path("ga").path("clientId"));
    if (explicit == null) {
      JsonNode integrations = e.segment().path("integrations");
      explicit = text(integrations.path("Google Analytics 4").path("clientId"));
      if (explicit == null) {
        explicit = text(integrations.path("Google Analytics").path("clientId"));
      }
    }
    if (explicit != null) {
      return explicit;
    }
    String cookie = fromGaCookie(text(context.path("cookies").path("_ga")));
    if (cookie != null) {
      return cookie;
    }
    String visitor = e.visitorId() != null ? e.visitorId() : e.anonymousId() != null ? e.anonymousId() : e.userId();
    return visitor == null ? null : derivedClientId(visitor, measurementId);
  }

  /**
   * The client id inside a {@code _ga} cookie: its last two dot-separated fields (the random
   * number and the first visit's time) after the {@code GA1.<domain depth>} prefix; null for a
   * value that is not such a cookie.
   */
  static String fromGaCookie(String cookie) {
    if (cookie == null) {
      return null;
    }
    String[] parts = cookie.strip().split("\\.");
    if (parts.length < 4 || !parts[0].startsWith("GA") || !digits(parts[parts.length - 2])
        || !digits(parts[parts.length - 1])) {
      return null;
    }
    return parts[parts.length - 2] + "." + parts[parts.length - 1];
  }

  /**
   * A client id shaped like gtag's ({@code <10 digits>.<10 digits>}), derived from the visitor
   * and the measurement id: the same visitor always gets the same id (replays and retries agree),
   * the visitor id cannot be read back from it, and two GA4 properties cannot join their users
   * on it.
   */
  static String derivedClientId(String visitor, String measurementId) {
    String hash = UserDataHashing.sha256Hex(measurementId + '\u0000' + visitor);
    return tenDigits(Long.parseUnsignedLong(hash.substring(0, 15), 16))
        + "." + tenDigits(Long.parseUnsignedLong(hash.substring(15, 30), 16));
  }

  /**
   * A numeric session id: {@code context.ga.sessionId} when the site's GA tag passed its own (so
   * both count one session), else the pipeline's session id — 32 hex digits — as the number of
   * its first 13 (52 bits: exact in any JSON reader, and unique enough within one client).
   * Null when neither exists.
   */
  static String sessionId(DeliveryEvent e) {
    String explicit = text(e.context().path("ga").path("sessionId"));
    if (explicit != null && digits(explicit) && explicit.length() <= 18) {
      return explicit;
    }
    String hex = e.sessionId();
    if (hex == null || hex.length() < 13) {
      return null;
    }
    try {
      return Long.toString(Long.parseLong(hex.substring(0, 13), 16));
    } catch (NumberFormatException notHex) {
      return null;
    }
  }

  /**
   * {@code engagement_time_msec}: {@code properties.engagement_time_msec} or
   * {@code context.ga.engagementTimeMsec} when the site measured it, else 1 — any positive
   * value makes GA4 count the event towards active users and realtime.
   */
  static long engagementTimeMsec(DeliveryEvent e) {
    for (JsonNode node : new JsonNode[] {e.properties().path("engagement_time_msec"),
        e.context().path("ga").path("engagementTimeMsec")}) {
      if (node.isNumber() && node.asLong() > 0) {
        return node.asLong();
      }
      if (node.isTextual() && digits(node.textValue()) && node.textValue().length() < 12) {
        return Long.parseLong(node.textValue());
      }
    }
    return 1;
  }

  private static String tenDigits(long random) {
    return Long.toString(1_000_000_000L + Long.remainderUnsigned(random, 9_000_000_000L));
  }

  private static boolean digits(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static String text(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull() || node.isContainerNode()) {
      return null;
    }
    String text = node.asText().strip();
    return text.isEmpty() ? null : text;
  }
}
