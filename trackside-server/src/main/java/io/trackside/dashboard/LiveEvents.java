package io.trackside.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import io.trackside.warehouse.LoggedEvent;
import io.trackside.warehouse.MirroredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The last events the warehouse stored, for the live view: a ring buffer of ready-made
 * Server-Sent Events messages with increasing ids. The warehouse workers {@link #publish} after
 * each commit; each stream ({@link LiveStream}) reads what follows the id it sent last. Nothing
 * here waits for a client: publishing only wakes the streams, which copy from the ring on their
 * own event loop — a client too slow to keep up with the ring is dropped, never waited for.
 */
public final class LiveEvents {
  public static final int DEFAULT_CAPACITY = 1_000;

  /** One message: its id and its whole SSE text ({@code id: …\ndata: …\n\n}). */
  record Message(long id, String text) {
  }

  /** What follows an id: the messages, and whether some between were already overwritten. */
  record Slice(List<Message> messages, boolean missed) {
  }

  private final Message[] ring;
  /**
   * Ids start from the start time in microseconds, so that they keep increasing across a restart
   * (unless more than a million events a second arrived before it) and an old Last-Event-ID never
   * looks newer than the events of the new process.
   */
  private final long firstId;
  private long nextId;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public LiveEvents() {
    this(DEFAULT_CAPACITY);
  }

  public LiveEvents(int capacity) {
    this.ring = new Message[capacity];
    this.firstId = System.currentTimeMillis() * 1000;
    this.nextId = firstId;
  }

  /** Called by the warehouse writer after a commit, with the events it stored. */
  public void publish(List<LoggedEvent> stored) {
    List<Map<String, Object>> payloads = new ArrayList<>(stored.size());
    for (LoggedEvent logged : stored) {
      payloads.add(payload(logged.enriched()));
    }
    publishPayloads(payloads);
  }

  /**
   * Called on a dashboard node after its {@code WarehouseMirror} copied events from the shared
   * PostgreSQL warehouse (they were stored by another node); the same messages as {@link #publish}.
   */
  public void publishMirrored(List<MirroredEvent> copied) {
    List<Map<String, Object>> payloads = new ArrayList<>(copied.size());
    for (MirroredEvent e : copied) {
      payloads.add(payload(e));
    }
    publishPayloads(payloads);
  }

  /** Publishes ready payloads (the JSON objects the stream sends); also for tests. */
  void publishPayloads(List<Map<String, Object>> payloads) {
    if (payloads.isEmpty()) {
      return;
    }
    List<String> json = new ArrayList<>(payloads.size());
    for (Map<String, Object> payload : payloads) {
      try {
        json.add(JsonAnswers.JSON.writeValueAsString(payload)); // one line: JSON escapes every newline
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    synchronized (this) {
      for (String data : json) {
        long id = nextId++;
        ring[slot(id)] = new Message(id, "id: " + id + "\ndata: " + data + "\n\n");
      }
    }
    listeners.forEach(Runnable::run);
  }

  /** The id of the newest message, or one less than the first id when there is none yet. */
  synchronized long newestId() {
    return nextId - 1;
  }

  /** Up to {@code max} messages after {@code afterId}, oldest first. */
  synchronized Slice after(long afterId, int max) {
    long oldest = Math.max(firstId, nextId - ring.length);
    long from = Math.max(afterId + 1, oldest);
    boolean missed = afterId + 1 < oldest;
    List<Message> out = new ArrayList<>();
    for (long id = from; id < nextId && out.size() < max; id++) {
      out.add(ring[slot(id)]);
    }
    return new Slice(out, missed);
  }

  /** Where a stream resuming after {@code afterId} starts: no earlier than the ring's oldest, no later than now. */
  synchronized long resumeAfter(long afterId) {
    long oldest = Math.max(firstId, nextId - ring.length);
    return Math.min(Math.max(afterId, oldest - 1), nextId - 1);
  }

  /** The id before the last {@code n} messages, to start a fresh stream with a little history. */
  synchronized long idBeforeLast(int n) {
    long oldest = Math.max(firstId, nextId - ring.length);
    return Math.max(oldest, nextId - n) - 1;
  }

  void onPublish(Runnable listener) {
    listeners.add(listener);
  }

  void removeListener(Runnable listener) {
    listeners.remove(listener);
  }

  int listenerCount() {
    return listeners.size();
  }

  private int slot(long id) {
    return (int) Math.floorMod(id, (long) ring.length);
  }

  /** The fields docs/DASHBOARD.md promises; text only, the page sets it with textContent. */
  static Map<String, Object> payload(EnrichedEvent x) {
    Event e = x.event();
    return payload(e.timestamp() != null ? e.timestamp() : e.receivedAt(), e.type(),
        e.event() != null ? e.event() : e.name(), x.pagePath, x.visitorId, x.country, x.deviceClass, x.channel, x.bot);
  }

  /** As above, from the columns a mirror copied (a NULL is_bot is shown as not a bot, as the writer stores it). */
  static Map<String, Object> payload(MirroredEvent e) {
    return payload(e.timestamp() != null ? e.timestamp() : e.receivedAt(), e.type(),
        e.event() != null ? e.event() : e.name(), e.pagePath(), e.visitorId(), e.country(), e.deviceClass(),
        e.channel(), Boolean.TRUE.equals(e.bot()));
  }

  private static Map<String, Object> payload(Instant time, String type, String event, String page, String visitorId,
                                             String country, String device, String channel, boolean bot) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", time == null ? null : time.toString());
    m.put("type", type);
    m.put("event", event);
    m.put("page", page);
    m.put("visitorId", visitorId);
    m.put("country", country);
    m.put("device", device);
    m.put("channel", channel);
    m.put("bot", bot);
    return m;
  }
}
