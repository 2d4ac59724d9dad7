package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Set;

/**
 * A Graph API error answer, {@code {"error":{"message","type","code","error_subcode",
 * "is_transient","error_user_msg","fbtrace_id"}}}, and what it means for the events sent.
 *
 * <p>Three kinds, because they need different handling:
 * <ul>
 *   <li>transient (is_transient, or a code Meta documents as temporary or as throttling):
 *       sending the same events later works → {@link Verdict.Retry};</li>
 *   <li>the destination's own setup is wrong (expired or invalid token, missing permission, a
 *       pixel the token cannot reach): every event would fail the same way, and rejecting would
 *       make the engine split the batch and dead-letter the whole backlog one by one; retried
 *       instead, so events wait in the log until the operator fixes the config;</li>
 *   <li>anything else (an invalid parameter in some event) → {@link Verdict.Rejected}: the
 *       engine splits the batch to find the event Meta refused.</li>
 * </ul>
 */
record MetaError(int status, String message, String type, int code, int subcode, boolean isTransient,
                 String userMessage, String fbtraceId) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * 1 unknown (possibly temporary), 2 service temporarily unavailable, 4 application request
   * limit, 17 user request limit, 32 page request limit, 341 application limit, 613 rate limit.
   */
  static final Set<Integer> TRANSIENT_CODES = Set.of(1, 2, 4, 17, 32, 341, 613);
  /** 102 session, 190 access token invalid or expired, 10 and 200-299 permissions. */
  private static final Set<Integer> AUTH_CODES = Set.of(10, 102, 190);
  /** With code 100: the object (the pixel) does not exist or the token may not use it. */
  private static final int UNKNOWN_OBJECT_SUBCODE = 33;

  /** The error in a body, or null when the body is not Meta's error JSON. */
  static MetaError parse(int status, String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    JsonNode error;
    try {
      error = JSON.readTree(body).path("error");
    } catch (IOException notJson) {
      return null;
    }
    if (!error.isObject()) {
      return null;
    }
    return new MetaError(status, text(error, "message"), text(error, "type"), error.path("code").asInt(0),
        error.path("error_subcode").asInt(0), error.path("is_transient").asBoolean(false),
        text(error, "error_user_msg"), text(error, "fbtrace_id"));
  }

  boolean transientError() {
    return isTransient || TRANSIENT_CODES.contains(code);
  }

  boolean setupError() {
    return AUTH_CODES.contains(code) || (code >= 200 && code <= 299)
        || (code == 100 && subcode == UNKNOWN_OBJECT_SUBCODE);
  }

  Verdict verdict() {
    if (transientError()) {
      return new Verdict.Retry("meta_transient: " + describe());
    }
    if (setupError()) {
      return new Verdict.Retry("meta_setup: " + describe());
    }
    return new Verdict.Rejected("meta_rejected: " + describe());
  }

  /** "400 OAuthException code=100 subcode=2804019: message (user message) fbtrace_id=…" */
  String describe() {
    StringBuilder text = new StringBuilder().append(status).append(' ').append(type == null ? "error" : type)
        .append(" code=").append(code);
    if (subcode != 0) {
      text.append(" subcode=").append(subcode);
    }
    text.append(": ").append(message == null ? "(no message)" : message);
    if (userMessage != null && !userMessage.equals(message)) {
      text.append(" (").append(userMessage).append(')');
    }
    if (fbtraceId != null) {
      text.append(" fbtrace_id=").append(fbtraceId);
    }
    return text.toString();
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
