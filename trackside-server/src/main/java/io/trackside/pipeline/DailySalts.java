package io.trackside.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The random keys of the cookieless visitor id (protocols.md §6): one per day of the site's time
 * zone, made by {@link SecureRandom}, of which only today's and yesterday's ever exist. Older
 * ones are overwritten and deleted at rotation, so an id can never be re-derived from an IP and
 * User-Agent once its day is over — nobody, not even the operator, can tell whether two
 * visitors of different days were the same.
 *
 * <p>The keys are kept in files ({@code <data>/salts/YYYY-MM-DD.salt}, owner-only) so that a
 * restart on the same day keeps every visitor id stable. The day is the site's day
 * ({@code sessions.time-zone}), not UTC's, so ids change exactly at local midnight, where a
 * session is cut anyway.
 *
 * <p>Shared by every worker: the state is an immutable snapshot behind a volatile field, and
 * only the rotation (once a day) takes a lock.
 */
public final class DailySalts {

  static final int SALT_BYTES = 32;
  private static final String SUFFIX = ".salt";
  private static final Logger log = LoggerFactory.getLogger(DailySalts.class);

  /** A key and the day it belongs to. */
  record Salt(LocalDate day, long epochDay, byte[] key) {
  }

  /** Today's and yesterday's keys and the instants that bound those days. */
  private record State(Salt today, Salt yesterday, long yesterdayStartMillis, long todayStartMillis,
                       long tomorrowStartMillis) {
  }

  private final Path dir;
  private final ZoneId zone;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private volatile State state;

  private DailySalts(Path dir, ZoneId zone, Clock clock) {
    this.dir = dir;
    this.zone = zone;
    this.clock = clock;
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
    return new DailySalts(dir, zone, clock);
  }

  /** Keys that live in memory only (tests, benchmarks): a restart changes every visitor id. */
  public static DailySalts inMemory(ZoneId zone, Clock clock) {
    return new DailySalts(null, zone, clock);
  }

  ZoneId zone() {
    return zone;
  }

  /**
   * The key for an event that happened at this instant: yesterday's for an event of yesterday
   * (received shortly after midnight), today's for everything else (today, older, or stamped in
   * the future). The caller also hashes the event's own day, so an old event hashed with today's
   * key can never share an id with today's visitors.
   */
  Salt forEvent(long eventMillis) {
    State s = current();
    if (eventMillis >= s.yesterdayStartMillis && eventMillis < s.todayStartMillis) {
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
    if (eventMillis >= s.yesterdayStartMillis && eventMillis < s.todayStartMillis) {
      return s.yesterday.epochDay();
    }
    return LocalDate.ofInstant(Instant.ofEpochMilli(eventMillis), zone).toEpochDay();
  }

  private State current() {
    State s = state;
    long now = clock.millis();
    // Only ever forward: a clock set back must not bring back a day whose key is gone.
    if (now >= s.tomorrowStartMillis) {
      synchronized (this) {
        s = state;
        if (now >= s.tomorrowStartMillis) {
          s = rotate(now);
          state = s;
        }
      }
    }
    return s;
  }

  /** The salt days that exist on disk right now (tests and the start-up log). */
  List<LocalDate> storedDays() {
    List<LocalDate> days = new ArrayList<>();
    if (dir == null) {
      return days;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        LocalDate day = dayOf(file);
        if (day != null) {
          days.add(day);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    days.sort(null);
    return days;
  }

  private State rotate(long nowMillis) {
    LocalDate today = LocalDate.ofInstant(Instant.ofEpochMilli(nowMillis), zone);
    LocalDate yesterday = today.minusDays(1);
    State old = state;
    Salt todaySalt = old != null && old.today.day().equals(today) ? old.today : load(today);
    Salt yesterdaySalt = old != null && old.today.day().equals(yesterday) ? old.today
        : old != null && old.yesterday.day().equals(yesterday) ? old.yesterday : load(yesterday);
    deleteAllBut(today, yesterday);
    if (old != null) {
      log.info("Cookieless visitor ids: the salt of {} is now in use; salts older than {} are deleted", today,
          yesterday);
    }
    return new State(todaySalt, yesterdaySalt, startOf(yesterday), startOf(today), startOf(today.plusDays(1)));
  }

  private long startOf(LocalDate day) {
    return day.atStartOfDay(zone).toInstant().toEpochMilli();
  }

  /** The day's key from its file, or a new random one (written to its file before it is used). */
  private Salt load(LocalDate day) {
    if (dir != null) {
      Path file = fileOf(day);
      try {
        byte[] key = Files.readAllBytes(file);
        if (key.length == SALT_BYTES) {
          return new Salt(day, day.toEpochDay(), key);
        }
        log.warn("Salt file {} has {} bytes instead of {}; replacing it (ids of {} change)", file, key.length,
            SALT_BYTES, day);
      } catch (NoSuchFileException absent) {
        // made below
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the salt file " + file, e);
      }
    }
    byte[] key = new byte[SALT_BYTES];
    random.nextBytes(key);
    if (dir != null) {
      write(fileOf(day), key);
    }
    return new Salt(day, day.toEpochDay(), key);
  }

  private void write(Path file, byte[] key) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ownerOnly(tmp);
        ch.write(ByteBuffer.wrap(key));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the salt file " + file, e);
    }
  }

  private static void ownerOnly(Path file) {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException notPosix) {
      // Windows and the like: the data directory's own permissions have to do
    }
  }

  /**
   * Overwrites every other salt file with zeros, syncs, then deletes it. The overwrite is a
   * best effort against undelete tools; on copy-on-write or flash storage the old blocks may
   * survive until reused, which is why the data directory itself must be protected too.
   */
  private void deleteAllBut(LocalDate today, LocalDate yesterday) {
    if (dir == null) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        LocalDate day = dayOf(file);
        boolean keep = day != null && (day.equals(today) || day.equals(yesterday));
        if (!keep && (name.endsWith(SUFFIX) || name.endsWith(SUFFIX + ".tmp"))) {
          shred(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the salt directory " + dir, e);
    }
  }

  private static void shred(Path file) {
    try {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        long size = ch.size();
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(size, 4096));
        for (long pos = 0; pos < size; ) {
          zeros.clear().limit((int) Math.min(zeros.capacity(), size - pos));
          pos += ch.write(zeros, pos);
        }
        ch.force(true);
      }
      Files.delete(file);
    } catch (NoSuchFileException gone) {
      // fine
    } catch (IOException e) {
      // Refusing to start over a stale key would stop the whole pipeline; shout instead.
      log.error("Could not delete the expired salt file {}: {}. Delete it by hand: while it exists, visitor ids "
          + "of its day could be re-derived", file, e.toString());
    }
  }

  private Path fileOf(LocalDate day) {
    return dir.resolve(day + SUFFIX);
  }

  private static LocalDate dayOf(Path file) {
    String name = file.getFileName().toString();
    if (!name.endsWith(SUFFIX)) {
      return null;
    }
    try {
      return LocalDate.parse(name.substring(0, name.length() - SUFFIX.length()));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
