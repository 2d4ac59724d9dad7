package io.trackside.sdk;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One built event, already serialised: the builder's maps were copied into JSON when it was
 * built, so the application may change or reuse them afterwards, and the sender thread never
 * reads anything the caller still holds.
 */
public final class Message {
  private final String type;
  private final String messageId;
  private final Instant timestamp;
  private final byte[] json;

  Message(String type, String messageId, Instant timestamp, String json) {
    this.type = type;
    this.messageId = messageId;
    this.timestamp = timestamp;
    this.json = json.getBytes(StandardCharsets.UTF_8);
  }

  /** track, page, screen, identify, group or alias. */
  public String type() {
    return type;
  }

  /** Sent with every attempt, so the server stores the event once however often it is retried. */
  public String messageId() {
    return messageId;
  }

  public Instant timestamp() {
    return timestamp;
  }

  /** The event as it will be sent (within a batch). */
  public String toJson() {
    return new String(json, StandardCharsets.UTF_8);
  }

  /** The UTF-8 bytes, shared: never to be changed. */
  byte[] bytes() {
    return json;
  }

  @Override
  public String toString() {
    return toJson();
  }
}
