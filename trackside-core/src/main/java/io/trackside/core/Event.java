package io.trackside.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * The canonical event every sink works with: the Segment spec's common fields, decoded from a
 * {@link ReceivedEvent}. Instants are UTC. Object-valued fields are never null (empty instead).
 *
 * @param source            the source (write key owner) the event came from
 * @param messageId         the client's id for deduplication (assigned by the collector if absent)
 * @param type              track, page, screen, identify, group or alias
 * @param event             the track event name (null for other types)
 * @param name              the page or screen name (null if none)
 * @param timestamp         when it happened, corrected for client clock skew
 * @param originalTimestamp the timestamp as the client sent it (null if not sent)
 * @param sentAt            the client clock when sent (null if not sent)
 * @param receivedAt        the server clock on arrival
 */
public record Event(String source, String messageId, String type, String event, String name,
                    String userId, String anonymousId, String groupId, String previousId,
                    Instant timestamp, Instant originalTimestamp, Instant sentAt, Instant receivedAt,
                    String clientIp, String userAgent,
                    ObjectNode context, ObjectNode properties, ObjectNode traits, ObjectNode integrations) {

  /** The id that identifies this person best right now: userId when known, else anonymousId. */
  public String visitorKey() {
    return anonymousId != null ? anonymousId : userId;
  }
}
