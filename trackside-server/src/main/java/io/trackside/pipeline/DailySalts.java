package io.trackside.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The random keys of the cookieless visitor id (protocols.md §6): one per day of the site's time
 * zone, made by {@link SecureRandom}, of which only today's and yesterday's ever exist. Older
 * ones are overwritten and deleted at rotation, so an id can never be re-derived from an IP and
 * User-Agent once its day is over — nobody, not even the operator, can tell whether two
 * visitors of different days were the same.
 *
 * <p>The keys are kept in a {@link SaltStore}: files of this node ({@link #open}), so that a
 * restart on the same day keeps every visitor id stable, or a PostgreSQL table all nodes of a
 * cluster share ({@link #openShared}), so that a visitor keeps its id when its log partition
 * moves to another node. The day is the site's day ({@code sessions.time-zone}), not UTC's, so
 * ids change exactly at local midnight, where a session is cut anyway.
 *
 * <p>Shared by every worker: the state is an immutable snapshot behind a volatile field, and
 * only the rotation (once a day) takes a lock.
 */
public final class DailySalts {

  static final int SALT_BYTES = 32;
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(DailySalts.class);

  /** A key and the day it belongs to. */
  record Salt(LocalDate day, long epochDay, byte[] key) {
  }

  /**
   * Today's and yesterday's keys and the instants that bound those days. Yesterday's is null
   * when a shared store had already retired it (this node's clock is behind the others').
   */
  private record State(Salt today, Salt yesterday, long yesterdayStartMillis, long todayStartMillis,
                       long tomorrowStartMillis) {
  }

  private final SaltStore store;
  private final ZoneId zone;
  private final Clock clock;
  private final Duration firstRetry;
  // Not synchronized: a worker waiting for the rotation must still be stoppable by an interrupt.
  private final ReentrantLock rotation = new ReentrantLock();
  private volatile State state;

  private DailySalts(SaltStore store, ZoneId zone, Clock clock, Duration firstRetry) {
    this.store = store;
    this.zone = zone;
    this.clock = clock;
    this.firstRetry = firstRetry;
    this.state = rotate(clock.millis());
  }

  /**
   * Opens (creating) the salt directory, loads today's and yesterday's keys if present, makes
   * what is missing and deletes every older key.
   */
  public static DailySalts open(Path dir, ZoneId zone, Clock clock) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the salt directory " + dir, e);
    }
    return new DailySalts(new FileSaltStore(dir), zone, clock, FIRST_RETRY);
  }

  /**
   * The keys every node sharing this PostgreSQL database uses (table {@code daily_salts},
   * created if missing): all nodes give a visitor the same id on the same day.
   *
   * <p>If the database cannot be reached when a new day's key is needed, the workers that need
   * it wait (retrying, with an error in the log) rather than use a key of their own, which would
   * split every visitor in two; their batch stays uncommitted in the log meanwhile.
   *
   * @throws RuntimeException naming the {@code daily_salts} table when the database cannot be reached now
   */
  public static DailySalts openShared(String pgJdbcUrl, ZoneId zone, Clock clock) {
    return openShared(pgJdbcUrl, zone, clock, FIRST_RETRY);
  }

  static DailySalts openShared(String pgJdbcUrl, ZoneId zone, Clock clock, Duration firstRetry) {
    return new DailySalts(new PgSaltStore(pgJdbcUrl), zone, clock, firstRetry);
  }

  /**
   * Deletes (zeroed first) the keys a node kept in this directory, if any: once it uses the shared
   * keys nothing rotates them any more, and left there they would let their days' ids be
   * re-derived.
   */
  public static void deleteFiles(Path dir) {
    if (Files.isDirectory(dir)) {
      new FileSaltStore(dir).retainOnly(null, null);
    }
  }

  /** Keys that live in memory only (tests, benchmarks): a restart changes every visitor id. */
  public static DailySalts inMemory(ZoneId zone, Clock clock) {
    return new DailySalts(new MemorySaltStore(), zone, clock, FIRST_RETRY);
  }

  ZoneId zone() {
    return zone;
  }

  /**
   * The key for an event that happened at this instant: yesterday's for an event of yesterday
   * (received shortly after midnight), today's for everything else (today, older, or stamped in
   * the future). The caller also hashes the event's own day, so an old event hashed with today's
   * key can never share an id with today's visitors.
   *
   * @throws PipelineInterruptedException when interrupted while waiting for a shared store
   */
  Salt forEvent(long eventMillis) {
    State s = current();
    if (s.yesterday != null && eventMillis >= s.yesterdayStartMillis && eventMillis < s.todayStartMillis) {
      return s.yesterday;
    }
    return s.today;
  }

  /** The local day an instant falls on, as epoch day; fast for today and yesterday. */
  long epochDay(long eventMillis) {
    State s = current();
    if (eventMillis >= s.todayStartMillis && eventMillis < s.tomorrowStartMillis) {
      return s.today.epochDay();
    }
    if (s.yesterday != null && eventMillis >= s.yesterdayStartMillis && eventMillis < s.todayStartMillis) {
      return s.yesterday.epochDay();
    }
    return LocalDate.ofInstant(Instant.ofEpochMilli(eventMillis), zone).toEpochDay();
  }

  private State current() {
    State s = state;
    long now = clock.millis();
    // Only ever forward: a clock set back must not bring back a day whose key is gone.
    if (now >= s.tomorrowStartMillis) {
      try {
        rotation.lockInterruptibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PipelineInterruptedException("interrupted while waiting for the daily salt rotation");
      }
      try {
        s = state;
        if (now >= s.tomorrowStartMillis) {
          s = rotateWhenReachable(now);
          state = s;
        }
      } finally {
        rotation.unlock();
      }
    }
    return s;
  }

  /**
   * Retries a rotation the shared store fails until it succeeds: a key of this node's own would
   * give every visitor another id than the other nodes give it. The worker's batch waits
   * uncommitted meanwhile; so does every other worker that needs a key.
   */
  private State rotateWhenReachable(long now) {
    long waitMillis = firstRetry.toMillis();
    boolean failed = false;
    while (true) {
      try {
        State s = rotate(Math.max(now, clock.millis()));
        if (failed) {
          log.info("Cookieless visitor ids: the shared salts are reachable again; processing continues");
        }
        return s;
      } catch (SaltsUnavailableException e) {
        failed = true;
        log.error("Cookieless visitor ids cannot be made: {}. No private salt is used instead (it would give"
            + " visitors other ids than the other nodes give them); events wait in the log and are processed once"
            + " the salt can be read. Retrying in {} s", e.getMessage(), waitMillis / 1000.0);
        try {
          Thread.sleep(waitMillis);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new PipelineInterruptedException("interrupted while waiting for the shared salts");
        }
        waitMillis = Math.min(waitMillis * 2, MAX_RETRY.toMillis());
      }
    }
  }

  /** The salt days that exist in the store right now (tests and the start-up log). */
  List<LocalDate> storedDays() {
    return store.storedDays();
  }

  private State rotate(long nowMillis) {
    LocalDate today = LocalDate.ofInstant(Instant.ofEpochMilli(nowMillis), zone);
    LocalDate yesterday = today.minusDays(1);
    State old = state;
    Salt todaySalt = old != null && old.today.day().equals(today) ? old.today : load(today);
    if (todaySalt == null) {
      throw new SaltsUnavailableException("the salt of " + today + " was deleted already by nodes whose day is at"
          + " least " + today.plusDays(2) + "; this node's clock is more than a day behind theirs", null);
    }
    Salt yesterdaySalt = old != null && old.today.day().equals(yesterday) ? old.today
        : old != null && old.yesterday != null && old.yesterday.day().equals(yesterday) ? old.yesterday
        : load(yesterday);
    store.retainOnly(today, yesterday);
    if (old != null) {
      log.info("Cookieless visitor ids: the salt of {} is now in use; salts older than {} are deleted", today,
          yesterday);
    }
    return new State(todaySalt, yesterdaySalt, startOf(yesterday), startOf(today), startOf(today.plusDays(1)));
  }

  private long startOf(LocalDate day) {
    return day.atStartOfDay(zone).toInstant().toEpochMilli();
  }

  private Salt load(LocalDate day) {
    byte[] key = store.keyFor(day);
    return key == null ? null : new Salt(day, day.toEpochDay(), key);
  }
}
