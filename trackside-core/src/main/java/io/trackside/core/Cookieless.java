package io.trackside.core;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The marker of a cookieless browser event: {@code "context": {"trackside": {"cookieless": true}}}
 * (the JSON boolean {@code true}, nothing else). Such an event may carry neither
 * {@code anonymousId} nor {@code userId}; the pipeline gives it a visitor id from a keyed hash of
 * a random daily salt with source, IP and User-Agent instead.
 *
 * <p>An explicit marker rather than "no ids at all": a Segment client that forgot its ids is a
 * bug worth a {@code no_user_anon_id} quarantine, a snippet that deliberately stores nothing on
 * the device is not. An event with the marker <em>and</em> ids is an ordinary event (ids win).
 */
public final class Cookieless {

  private Cookieless() {
  }

  /** @param context the event's {@code context} object (null or any other JSON is "not marked") */
  public static boolean marked(JsonNode context) {
    if (context == null || !context.isObject()) {
      return false;
    }
    JsonNode trackside = context.get("trackside");
    if (trackside == null || !trackside.isObject()) {
      return false;
    }
    JsonNode flag = trackside.get("cookieless");
    return flag != null && flag.isBoolean() && flag.booleanValue();
  }
}
