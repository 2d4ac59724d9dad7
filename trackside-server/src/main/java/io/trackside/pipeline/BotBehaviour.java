package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The behaviour bot layer: a visitor with more than {@code maxPages} page or screen views within
 * {@code window} (by the events' timestamps, so a replay of the log decides the same) is flagged
 * {@code behaviour}, and so is every later event of that visitor until {@code window} after the
 * view that crossed the line. Events of the burst before that view are not flagged afterwards:
 * they may already be on their way to the warehouse, and keeping them is the cheaper mistake.
 *
 * <p>Keyed by the visitor id (anonymousId, userId or the cookieless daily id), not by IP and
 * user agent: behind one carrier-grade NAT thousands of iPhones share an address and the very
 * same user-agent string, and flagging them would hide real people from every report. A crawler
 * that drops its cookies on every page is left to the user-agent, headless and hosting-network
 * layers.
 *
 * <p>Stateful, one instance per worker (a visitor's events all go to one partition, so to one
 * worker), so no locks. Memory is bounded: the least recently seen visitor is forgotten beyond
 * {@code capacity}; a bot sending a page per second is seen again long before that.
 */
final class BotBehaviour implements Step {

  /** Visitors remembered per worker: ~100-250 bytes each with the default of 10 views, a few MB in all. */
  static final int CAPACITY = 20_000;

  private final int maxPages;
  private final long windowMillis;
  private final Map<String, Visitor> visitors;

  BotBehaviour(int maxPages, Duration window, int capacity) {
    if (maxPages < 1 || window.isNegative() || window.isZero() || capacity < 1) {
      throw new IllegalArgumentException("maxPages, window and capacity must be positive");
    }
    this.maxPages = maxPages;
    this.windowMillis = window.toMillis();
    this.visitors = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Visitor> eldest) {
        return size() > capacity;
      }
    };
  }

  @Override
  public String name() {
    return "bot_behaviour";
  }

  @Override
  public void apply(EnrichedEvent e) {
    String key = e.visitorId;
    if (key == null || e.bot) {
      return; // already flagged by another layer: keep its reason, spend no memory on it
    }
    Event event = e.event();
    Instant at = event.timestamp() != null ? event.timestamp() : event.receivedAt();
    if (at == null) {
      return;
    }
    long millis = at.toEpochMilli();
    boolean view = "page".equals(event.type()) || "screen".equals(event.type());
    Visitor visitor = visitors.get(key);
    if (visitor == null) {
      if (!view) {
        return;
      }
      visitor = new Visitor(maxPages + 1);
      visitors.put(key, visitor);
    }
    if (view && visitor.record(millis, windowMillis)) {
      if (millis > visitor.flaggedUntil) {
        visitor.flaggedFrom = millis;
      }
      visitor.flaggedUntil = Math.max(visitor.flaggedUntil, millis + windowMillis);
    }
    if (millis >= visitor.flaggedFrom && millis <= visitor.flaggedUntil) {
      e.bot = true;
      e.botReason = "behaviour";
    }
  }

  /**
   * The timestamps of a visitor's last maxPages + 1 views, and when it counts as a bot. Most
   * visitors view a page or two: their first view is kept in a field and the ring is only
   * allocated at the second, which halves the memory and the garbage of this step.
   */
  private static final class Visitor {
    private final int size;
    private long firstView;
    private long[] views;
    private int count;
    private int next;
    long flaggedFrom = Long.MAX_VALUE;
    long flaggedUntil = Long.MIN_VALUE;

    Visitor(int size) {
      this.size = size;
    }

    /** Adds a view; true when the last maxPages + 1 views all fall within the window. */
    boolean record(long millis, long windowMillis) {
      if (count == 0) {
        firstView = millis;
        count = 1;
        return size == 1;
      }
      if (views == null) {
        views = new long[size];
        views[0] = firstView;
        next = 1;
      }
      views[next] = millis;
      next = (next + 1) % size;
      if (count < size) {
        count++;
        if (count < size) {
          return false;
        }
      }
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (long view : views) { // timestamps may arrive out of order: compare the span, not the ends
        min = Math.min(min, view);
        max = Math.max(max, view);
      }
      return max - min < windowMillis;
    }
  }
}
