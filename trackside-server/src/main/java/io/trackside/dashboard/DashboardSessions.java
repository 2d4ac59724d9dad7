package io.trackside.dashboard;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-in dashboard sessions, in memory: a random id (the cookie) → its CSRF token and when it
 * was last used. A session unused for {@code idleTimeout} is gone; a restart signs everyone out,
 * which for one admin is a fair price for keeping no session store.
 */
public final class DashboardSessions {
  /** What a page needs to know about its session. */
  public record Session(String id, String csrfToken, Instant lastUsed) {
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  /** A bound on memory: sign-ins beyond it push out the least recently used session. */
  private static final int MAX_SESSIONS = 1_000;

  private final Duration idleTimeout;
  private final Clock clock;
  private final Map<String, Session> byId = new ConcurrentHashMap<>();

  public DashboardSessions(Duration idleTimeout) {
    this(idleTimeout, Clock.systemUTC());
  }

  DashboardSessions(Duration idleTimeout, Clock clock) {
    this.idleTimeout = idleTimeout;
    this.clock = clock;
  }

  Duration idleTimeout() {
    return idleTimeout;
  }

  Session create() {
    evictExpired();
    if (byId.size() >= MAX_SESSIONS) {
      byId.values().stream().min(java.util.Comparator.comparing(Session::lastUsed))
          .ifPresent(oldest -> byId.remove(oldest.id()));
    }
    Session session = new Session(randomToken(), randomToken(), clock.instant());
    byId.put(session.id(), session);
    return session;
  }

  /** The live session with this id, its idle clock restarted; null when unknown or expired. */
  Session touch(String id) {
    if (id == null) {
      return null;
    }
    Instant now = clock.instant();
    Session session = byId.get(id);
    if (session == null) {
      return null;
    }
    if (expired(session, now)) {
      byId.remove(id);
      return null;
    }
    Session touched = new Session(session.id(), session.csrfToken(), now);
    byId.replace(id, session, touched);
    return touched;
  }

  void remove(String id) {
    if (id != null) {
      byId.remove(id);
    }
  }

  /** Constant-time comparison: how many characters matched must not leak through timing. */
  static boolean sameToken(String expected, String given) {
    return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
        given.getBytes(StandardCharsets.UTF_8));
  }

  private boolean expired(Session session, Instant now) {
    return session.lastUsed().plus(idleTimeout).isBefore(now);
  }

  private void evictExpired() {
    Instant now = clock.instant();
    byId.values().removeIf(s -> expired(s, now));
  }

  private static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
