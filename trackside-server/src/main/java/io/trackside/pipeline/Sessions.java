package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import io.trackside.warehouse.SessionSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cuts each visitor's events into sessions and stamps every event with its {@code sessionId}
 * and {@code sessionNumber} (1, 2, 3, … per visitor). A new session starts
 * <ul>
 *   <li>after {@code sessions.timeout} (30 min) without an event of the visitor,</li>
 *   <li>at midnight in the site's time zone ({@code sessions.time-zone}), and</li>
 *   <li>when the campaign changes: an event whose utm source/medium/campaign differ from the
 *       session's, or which brings a click id (gclid, fbclid, …) the session has not seen.
 *       An event without campaign fields never cuts a session.</li>
 * </ul>
 * Only track, page and screen events start sessions; identify, group and alias join the live
 * session of their visitor, or get none (a CRM sync at night makes no visits).
 *
 * <p><b>Late events.</b> An event older than the visitor's latest one (parallel beacons, a
 * retried batch) joins the current session if it is within its span; else the previous session
 * if it falls within that one's span widened by the timeout (same local day); else the current
 * one if it is on its day and at most the timeout before its start; else it gets a session of
 * its own with number 0 ("position unknown") rather than renumbering history. Campaign changes
 * are not judged for late events. A timestamp in the future counts as the time of receipt.
 *
 * <p><b>State.</b> One instance per worker; the log is partitioned by visitor, so a worker sees
 * all of a visitor's events, in order of arrival. Live state is kept per visitor until it has
 * been idle (by the arrival clock) for the timeout plus {@link #LATE_ALLOWANCE}, and for at most
 * {@link #MAX_LIVE} visitors (least recently seen evicted first). Session numbers outlive that
 * in the shared {@link SessionCounts}. On start the worker resumes the sessions the warehouse
 * saw last ({@link SessionSnapshot}), so a restart does not cut every visit in two.
 */
final class Sessions implements Step {

  static final Duration LATE_ALLOWANCE = Duration.ofMinutes(5);
  static final int MAX_LIVE = 100_000;
  private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

  /** One session's span. */
  private static final class Span {
    final String id;
    final int number;
    final long day;
    long start;
    long last;

    Span(String id, int number, long start, long last, long day) {
      this.id = id;
      this.number = number;
      this.start = start;
      this.last = last;
      this.day = day;
    }
  }

  private static final class Visitor {
    Span current;
    Span previous;
    /** The current session's utm source/medium/campaign, or null. */
    String utm;
    /** The current session's click ids as "\u0001name=value\u0001…", or null. */
    String clicks;
    long lastReceived;
  }

  private final long timeoutMillis;
  private final long keepMillis;
  private final ZoneId zone;
  private final SessionCounts counts;
  /** In access order, so the least recently seen visitor is the eldest and goes first. */
  private final LinkedHashMap<String, Visitor> live = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Visitor> eldest) {
      return size() > MAX_LIVE;
    }
  };
  private long clock = Long.MIN_VALUE;
  private long nextEviction = Long.MIN_VALUE;
  private long cachedDayStart = Long.MAX_VALUE;
  private long cachedDayEnd = Long.MIN_VALUE;
  private long cachedDay;

  Sessions(Duration timeout, ZoneId zone, SessionCounts counts, List<SessionSnapshot> restored) {
    this.timeoutMillis = timeout.toMillis();
    this.keepMillis = timeoutMillis + LATE_ALLOWANCE.toMillis();
    this.zone = zone;
    this.counts = counts;
    restored.stream()
        .sorted((a, b) -> Long.compare(a.lastReceivedMillis(), b.lastReceivedMillis()))
        .forEach(this::restore);
  }

  @Override
  public String name() {
    return "sessions";
  }

  int liveVisitors() {
    return live.size();
  }

  @Override
  public void apply(EnrichedEvent e) {
    String visitorId = e.visitorId;
    if (visitorId == null) {
      return;
    }
    Event event = e.event();
    long received = event.receivedAt().toEpochMilli();
    advanceClock(received);
    long ts = VisitorIds.eventMillis(event);
    long day = dayOf(ts);
    boolean starts = startsSessions(event.type());
    Visitor v = live.get(visitorId);
    if (v == null) {
      if (!starts) {
        return;
      }
      v = new Visitor();
      live.put(visitorId, v);
      startSession(e, visitorId, v, ts, day, 1);
    } else if (ts >= v.current.last) {
      Span cur = v.current;
      boolean expired = ts - cur.last > timeoutMillis || day != cur.day;
      boolean newCampaign = starts && campaignChanged(e, v);
      if (!expired && !newCampaign) {
        join(e, cur, ts);
      } else if (starts) {
        startSession(e, visitorId, v, ts, day, cur.number + 1);
      }
    } else {
      late(e, visitorId, v, ts, day, starts);
    }
    if (received > v.lastReceived) {
      v.lastReceived = received;
    }
  }

  private void late(EnrichedEvent e, String visitorId, Visitor v, long ts, long day, boolean starts) {
    Span cur = v.current;
    Span prev = v.previous;
    if (ts >= cur.start) {
      join(e, cur, ts);
    } else if (prev != null && day == prev.day && ts >= prev.start - timeoutMillis
        && ts <= prev.last + timeoutMillis) {
      join(e, prev, ts);
      prev.start = Math.min(prev.start, ts);
    } else if (day == cur.day && ts >= cur.start - timeoutMillis) {
      join(e, cur, ts);
      cur.start = ts;
    } else if (starts) {
      e.sessionId = sessionId(visitorId, 0, ts);
      e.sessionNumber = 0;
    }
  }

  private static boolean startsSessions(String type) {
    return "track".equals(type) || "page".equals(type) || "screen".equals(type);
  }

  private static void join(EnrichedEvent e, Span span, long ts) {
    e.sessionId = span.id;
    e.sessionNumber = span.number;
    if (ts > span.last) {
      span.last = ts;
    }
  }

  private void startSession(EnrichedEvent e, String visitorId, Visitor v, long ts, long day, int atLeast) {
    int number = counts.next(visitorId, atLeast);
    v.previous = v.current;
    v.current = new Span(sessionId(visitorId, number, ts), number, ts, ts, day);
    v.utm = utmKey(e.utmSource, e.utmMedium, e.utmCampaign);
    v.clicks = e.clickIds.isEmpty() ? null : clickKey(e.clickIds);
    e.sessionId = v.current.id;
    e.sessionNumber = number;
  }

  private static boolean campaignChanged(EnrichedEvent e, Visitor v) {
    String utm = utmKey(e.utmSource, e.utmMedium, e.utmCampaign);
    if (utm != null && !utm.equals(v.utm)) {
      return true;
    }
    if (!e.clickIds.isEmpty()) {
      for (Map.Entry<String, String> click : e.clickIds.entrySet()) {
        if (v.clicks == null || !v.clicks.contains("\u0001" + click.getKey() + "=" + click.getValue() + "\u0001")) {
          return true;
        }
      }
    }
    return false;
  }

  static String utmKey(String source, String medium, String campaign) {
    if (source == null && medium == null && campaign == null) {
      return null;
    }
    return source + "\u0001" + medium + "\u0001" + campaign;
  }

  private static String clickKey(Map<String, String> clickIds) {
    StringBuilder key = new StringBuilder("\u0001");
    for (Map.Entry<String, String> click : new TreeMap<>(clickIds).entrySet()) {
      key.append(click.getKey()).append('=').append(click.getValue()).append('\u0001');
    }
    return key.toString();
  }

  /**
   * 128 bits in hex from the visitor id, the number and the start: the same events replayed
   * through the same state give the same ids. Two independent 64-bit hashes, not SHA-256: a
   * session id is a label, not a secret, and in a flood of new visitors (a bot, a crawl) every
   * event starts a session, where SHA-256 cost microseconds.
   */
  static String sessionId(String visitorId, int number, long start) {
    long a = 0xcbf29ce484222325L; // FNV-1a
    long b = 0x9e3779b97f4a7c15L; // a multiplicative hash with another constant
    for (int i = 0; i < visitorId.length(); i++) {
      char c = visitorId.charAt(i);
      a = (a ^ c) * 0x100000001b3L;
      b = (b + c) * 0xc6a4a7935bd1e995L;
    }
    a = mix(a ^ mix(start) ^ number);
    b = mix(b ^ mix(start + 0x632be59bd9b4e019L) ^ ((long) number << 32));
    char[] hex = new char[32];
    for (int i = 0; i < 16; i++) {
      hex[i] = HEX_DIGITS[(int) (a >>> (60 - 4 * i)) & 0xf];
      hex[16 + i] = HEX_DIGITS[(int) (b >>> (60 - 4 * i)) & 0xf];
    }
    return new String(hex);
  }

  /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** The local day of an instant, as epoch day; one comparison for the day most events are on. */
  private long dayOf(long millis) {
    if (millis >= cachedDayStart && millis < cachedDayEnd) {
      return cachedDay;
    }
    LocalDate date = LocalDate.ofInstant(Instant.ofEpochMilli(millis), zone);
    cachedDay = date.toEpochDay();
    cachedDayStart = date.atStartOfDay(zone).toInstant().toEpochMilli();
    cachedDayEnd = date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
    return cachedDay;
  }

  /** The arrival clock drives eviction, so replaying an old log evicts as it did live. */
  private void advanceClock(long received) {
    if (received > clock) {
      clock = received;
    }
    if (clock >= nextEviction) {
      nextEviction = clock + 1000;
      long horizon = clock - keepMillis;
      Iterator<Visitor> eldest = live.values().iterator();
      while (eldest.hasNext() && eldest.next().lastReceived < horizon) {
        eldest.remove();
      }
    }
  }

  private void restore(SessionSnapshot s) {
    Visitor v = new Visitor();
    v.current = new Span(s.sessionId(), s.sessionNumber(), s.startMillis(), s.lastMillis(), dayOf(s.startMillis()));
    v.utm = utmKey(s.utmSource(), s.utmMedium(), s.utmCampaign());
    v.clicks = s.clickIds().isEmpty() ? null : clickKey(s.clickIds());
    v.lastReceived = s.lastReceivedMillis();
    live.put(s.visitorId(), v);
    counts.restore(s.visitorId(), s.sessionNumber());
  }
}
