package io.trackside.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackside.core.Event;
import java.io.IOException;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The ids whose future events must not be stored (the person asked for erasure), in memory for
 * every worker: a lock-free set, loaded from the {@code suppressions} table when the warehouse
 * opens and added to by each deletion before it deletes anything. An id is matched against an
 * event's userId, anonymousId and previousId alike.
 *
 * <p>It also closes the race between a deletion and the workers: an event that passed the
 * pipeline's check just before its id was suppressed could otherwise be committed just after
 * the deletion ran. Every warehouse write holds {@link #writes}' read lock from its final check
 * to its commit; a deletion adds the ids, then takes the write lock once (waiting for writes in
 * flight), and only then deletes — so each event of the person is either deleted or never
 * written.
 */
public final class Suppressions {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Set<String> ids = ConcurrentHashMap.newKeySet();
  private volatile boolean empty = true;
  final ReentrantReadWriteLock writes = new ReentrantReadWriteLock();

  public boolean isEmpty() {
    return empty;
  }

  public int size() {
    return ids.size();
  }

  public boolean contains(String id) {
    return id != null && !empty && ids.contains(id);
  }

  /** Whether any of the event's ids is suppressed. */
  public boolean suppressed(Event e) {
    return !empty && (contains(e.userId()) || contains(e.anonymousId()) || contains(e.previousId()));
  }

  /**
   * Whether a quarantined payload (JSON as received) belongs to a suppressed id. Parses the
   * JSON, so only call it with a non-empty list (quarantined records are rare).
   */
  boolean suppressedPayload(byte[] payload) {
    if (empty || payload == null) {
      return false;
    }
    try {
      JsonNode root = JSON.readTree(payload);
      return root != null && root.isObject() && (contains(idText(root.get("userId")))
          || contains(idText(root.get("anonymousId"))) || contains(idText(root.get("previousId"))));
    } catch (IOException | RuntimeException notJson) {
      return false;
    }
  }

  private static String idText(JsonNode node) {
    return node != null && (node.isTextual() || node.isIntegralNumber()) ? node.asText() : null;
  }

  void addAll(Collection<String> more) {
    ids.addAll(more);
    empty = ids.isEmpty();
  }

  /**
   * Waits until every write that may have checked the list before the last {@link #addAll} has
   * committed or failed.
   *
   * @return false if that took longer than the timeout
   */
  boolean awaitWritesInFlight(long timeout, TimeUnit unit) throws InterruptedException {
    if (!writes.writeLock().tryLock(timeout, unit)) {
      return false;
    }
    writes.writeLock().unlock();
    return true;
  }
}
