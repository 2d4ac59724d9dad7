package io.trackside.pipeline;

import io.trackside.core.Cookieless;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who the visitor is: the anonymousId, else the userId — else, for a cookieless event
 * ({@link Cookieless}), a daily id: the first 16 bytes of HMAC-SHA256, keyed by the day's
 * random salt ({@link DailySalts}), over the event's local day, the source, the client IP and
 * the User-Agent (protocols.md §6; Plausible uses SipHash the same way). Must run before the IP
 * is truncated, since the whole address goes into the hash (and nowhere else).
 *
 * <p>The day is hashed too: an event from an older day (replayed, or very late) can only be
 * keyed with today's salt, and without its day in the message it would share an id with today's
 * visitor at the same address and browser.
 *
 * <p>One instance per worker: a {@link Mac} is not thread-safe, and keying one costs more than
 * hashing, so the two keyed instances (today's and yesterday's) are kept.
 */
final class VisitorIds implements Step {

  private static final HexFormat HEX = HexFormat.of();
  private static final int ID_BYTES = 16;

  private final DailySalts salts;
  private final boolean cookieless;
  private Mac macA;
  private Mac macB;
  private DailySalts.Salt keyA;
  private DailySalts.Salt keyB;

  /** @param cookieless whether events with the cookieless marker get a daily id (else they are quarantined) */
  VisitorIds(DailySalts salts, boolean cookieless) {
    this.salts = salts;
    this.cookieless = cookieless;
  }

  @Override
  public String name() {
    return "visitor_id";
  }

  @Override
  public void apply(EnrichedEvent e) {
    Event event = e.event();
    String key = event.visitorKey();
    if (key != null) {
      e.visitorId = key;
      return;
    }
    if (!Cookieless.marked(event.context())) {
      return; // the collector lets no such event through; nothing sensible to derive
    }
    if (!cookieless) {
      e.quarantine("cookieless_off", "the event has no anonymousId or userId and the cookieless mode is off "
          + "(privacy.cookieless: false); turn it on and replay, or send ids");
      return;
    }
    long at = eventMillis(event);
    DailySalts.Salt salt = salts.forEvent(at);
    long day = salts.epochDay(at);
    String ua = e.userAgent != null ? e.userAgent : event.userAgent();
    e.visitorId = id(salt, day, event.source(), e.rawIp(), ua);
  }

  /** The event's time, but never later than its receipt: a client clock in the future says nothing. */
  static long eventMillis(Event event) {
    long received = event.receivedAt().toEpochMilli();
    if (event.timestamp() == null) {
      return received;
    }
    try {
      return Math.min(event.timestamp().toEpochMilli(), received);
    } catch (ArithmeticException beyondMillis) {
      return received;
    }
  }

  String id(DailySalts.Salt salt, long epochDay, String source, String ip, String userAgent) {
    Mac mac = macFor(salt);
    mac.update(Long.toString(epochDay).getBytes(StandardCharsets.US_ASCII));
    update(mac, source);
    update(mac, ip);
    update(mac, userAgent);
    byte[] digest = mac.doFinal();
    return HEX.formatHex(digest, 0, ID_BYTES);
  }

  /** Each field is length-prefixed, so ("ab", "c") and ("a", "bc") cannot collide. */
  private static void update(Mac mac, String field) {
    byte[] bytes = field == null ? new byte[0] : field.getBytes(StandardCharsets.UTF_8);
    int n = field == null ? -1 : bytes.length;
    mac.update((byte) (n >>> 24));
    mac.update((byte) (n >>> 16));
    mac.update((byte) (n >>> 8));
    mac.update((byte) n);
    mac.update(bytes);
  }

  private Mac macFor(DailySalts.Salt salt) {
    if (salt == keyA) {
      return macA;
    }
    if (salt == keyB) {
      return macB;
    }
    // A new day's key replaces the older of the two (the expired day's key leaves memory with it).
    Mac mac = keyed(salt.key());
    if (keyA == null || (keyB != null && keyA.epochDay() <= keyB.epochDay())) {
      macA = mac;
      keyA = salt;
    } else {
      macB = mac;
      keyB = salt;
    }
    return mac;
  }

  private static Mac keyed(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }
}
