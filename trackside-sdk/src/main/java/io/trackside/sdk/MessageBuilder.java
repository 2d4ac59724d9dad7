package io.trackside.sdk;

import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What every event type has: ids, time, context and integrations. Subclasses add their own
 * fields ({@link TrackMessage#builder}, {@link PageMessage#builder}, ...). Only this package
 * extends it.
 *
 * <p>{@link #build()} assigns a random UUID as messageId and the current time as timestamp
 * unless they were set, and adds {@code context.library}. Setting a value to null unsets it.
 */
public abstract class MessageBuilder<B extends MessageBuilder<B>> {
  /** The server refuses longer ids (Segment: "shorter than 100 characters"). */
  static final int MAX_MESSAGE_ID_LENGTH = 99;

  private final String type;
  private String messageId;
  private String userId;
  private String anonymousId;
  private Instant timestamp;
  private Map<String, ?> context;
  private Map<String, Object> integrations;
  private boolean cookieless;

  MessageBuilder(String type) {
    this.type = type;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** An id of your own (under 100 characters); by default a random UUID. */
  public B messageId(String messageId) {
    this.messageId = messageId;
    return self();
  }

  public B userId(String userId) {
    this.userId = userId;
    return self();
  }

  public B anonymousId(String anonymousId) {
    this.anonymousId = anonymousId;
    return self();
  }

  public B anonymousId(UUID anonymousId) {
    return anonymousId(anonymousId == null ? null : anonymousId.toString());
  }

  /** When it happened; by default when the message is built. */
  public B timestamp(Instant timestamp) {
    this.timestamp = timestamp;
    return self();
  }

  public B timestamp(Date timestamp) {
    return timestamp(timestamp == null ? null : timestamp.toInstant());
  }

  /** Segment's context object (ip, userAgent, page, locale, campaign, ...); library is added. */
  public B context(Map<String, ?> context) {
    this.context = context;
    return self();
  }

  /** Destination switches, e.g. {@code {"All": false, "GA4": true}}. */
  public B integrations(Map<String, ?> integrations) {
    this.integrations = integrations == null ? null : new LinkedHashMap<>(integrations);
    return self();
  }

  public B enableIntegration(String name, boolean enabled) {
    if (integrations == null) {
      integrations = new LinkedHashMap<>();
    }
    integrations.put(name, enabled);
    return self();
  }

  /**
   * Marks the event as coming from a visitor without an id: {@code "context": {"trackside":
   * {"cookieless": true}}}. The server then derives a daily visitor id from the IP and
   * User-Agent in the context (set {@code context.ip} and {@code context.userAgent}), and the
   * event needs neither userId nor anonymousId.
   */
  public B cookieless() {
    this.cookieless = true;
    return self();
  }

  /**
   * @throws IllegalStateException when a required field is missing (the server would quarantine
   *                               the event), or a value cannot be written as JSON
   */
  public final Message build() {
    String problem = problem();
    if (problem == null && blank(userId) && blank(anonymousId) && !cookieless) {
      problem = "a " + type + " needs a userId or an anonymousId (or cookieless())";
    }
    if (problem == null && messageId != null && messageId.length() > MAX_MESSAGE_ID_LENGTH) {
      problem = "messageId is " + messageId.length() + " characters; the limit is " + MAX_MESSAGE_ID_LENGTH;
    }
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
    String id = blank(messageId) ? UUID.randomUUID().toString() : messageId;
    Instant at = timestamp != null ? timestamp : Instant.now();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("type", type);
    json.put("messageId", id);
    json.put("timestamp", Json.timestamp(at));
    putIfSet(json, "userId", userId);
    putIfSet(json, "anonymousId", anonymousId);
    fields(json);
    json.put("context", context());
    if (integrations != null && !integrations.isEmpty()) {
      json.put("integrations", integrations);
    }
    try {
      return new Message(type, id, at, Json.write(json));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("cannot write the " + type + " as JSON: " + e.getMessage(), e);
    }
  }

  /** For a subclass's checks (an alias needs the new id). */
  final String currentUserId() {
    return userId;
  }

  /** Adds the type's own fields (event, name, properties, traits, ...). */
  abstract void fields(Map<String, Object> json);

  /** What the type requires and is missing, or null. */
  abstract String problem();

  /** The caller's context, with the library and (when asked) the cookieless marker added. */
  private Map<String, Object> context() {
    Map<String, Object> merged = new LinkedHashMap<>();
    if (context != null) {
      merged.putAll(context);
    }
    merged.put("library", Library.CONTEXT);
    if (cookieless) {
      Map<String, Object> trackside = new LinkedHashMap<>();
      if (merged.get("trackside") instanceof Map<?, ?> own) {
        own.forEach((k, v) -> trackside.put(String.valueOf(k), v));
      }
      trackside.put("cookieless", true);
      merged.put("trackside", trackside);
    }
    return merged;
  }

  static void putIfSet(Map<String, Object> json, String key, Object value) {
    if (value != null) {
      json.put(key, value);
    }
  }

  static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
