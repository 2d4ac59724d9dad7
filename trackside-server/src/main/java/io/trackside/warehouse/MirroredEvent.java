package io.trackside.warehouse;

import java.time.Instant;

/** What the live view shows of an event a mirror copied (the fields of its stream's messages). */
public record MirroredEvent(Instant timestamp, Instant receivedAt, String type, String event, String name,
                            String pagePath, String visitorId, String country, String deviceClass, String channel,
                            Boolean bot) {
}
