package io.trackside.warehouse;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a dashboard node's local DuckDB a copy of the shared PostgreSQL warehouse's
 * {@code events}, {@code quarantine} and {@code identities}, so that the dashboard's DuckDB SQL
 * runs unchanged, and fast, on the copy.
 *
 * <p>How it knows what to copy: every mirrored row in PostgreSQL carries {@code written_xid}, the
 * transaction that wrote it, and every deletion is recorded in {@code mirror_deletes} (see
 * {@link PgSchema}). Transactions commit out of xid order, so "xids above the last one seen" would
 * lose the rows of a transaction that was still open when a later one was copied. The cursor is
 * therefore a snapshot's: {@code low}, below which every transaction has ended and been copied,
 * and the set of xids from {@code low} on already copied ({@link MirrorState}). Each poll takes a
 * REPEATABLE READ snapshot, reads what transactions not copied yet wrote, applies it to DuckDB in
 * one transaction with the new cursor, {@code low} = the snapshot's xmin. A restart resumes from
 * the stored cursor: no event is copied twice, none is missed.
 *
 * <p>Deletions ({@code mirror_deletes}) are applied first, by key, then quarantine rows replaced by
 * id and identities upserted by their key, then events appended. A deletion by key also puts
 * back the rows of that key PostgreSQL kept because they committed after its DELETE ran (see
 * {@link MirrorPoll}). A full copy needs only the deletions from its snapshot's xmin on, so
 * {@code mirror_deletes} rows older than the slowest mirror's cursor may be pruned in PostgreSQL;
 * a mirror that was away longer than that must start again from an empty file.
 *
 * <p>The first poll on an empty file copies everything in one snapshot and one DuckDB
 * transaction, streamed a page at a time (progress logged every 5 s); that snapshot stays open
 * for the whole copy, which holds back VACUUM, and other mirrors' xmin, on the server meanwhile.
 *
 * <p>The cost: a transaction left open anywhere on the PostgreSQL server (any database; a
 * forgotten psql session, a long report) holds xmin back, and until it ends every poll reads
 * again, and skips, the rows written since it began. Rows are not copied twice, but each poll
 * gets slower; {@code trackside.mirror.poll.seconds} shows it.
 *
 * <p>When PostgreSQL cannot be reached the mirror keeps the last copy for the dashboard and
 * retries with a growing pause (up to {@link #MAX_BACKOFF}); {@link #check} says how stale the
 * copy is once that matters.
 */
public final class WarehouseMirror implements AutoCloseable {
  /** The newest events of a poll handed to listeners for the live view (its ring holds 1,000). */
  public static final int LIVE_EVENTS = 1_000;
  static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
  /** A copy at most this old (or 3 intervals) is fine for /readyz even while PostgreSQL cannot be read. */
  static final Duration STALE_AFTER = Duration.ofSeconds(30);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(WarehouseMirror.class);

  private final String pgJdbcUrl;
  private final DuckDbWarehouse local;
  private final Duration interval;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private final List<MirrorListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Counter> copied = new ConcurrentHashMap<>();
  private final Map<String, Counter> deleted = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final Object polling = new Object();
  private Connection pg; // guarded by polling
  private volatile Instant lastSuccess;
  private volatile double lastPollSeconds = Double.NaN;
  private volatile String lastFailure;
  private volatile Instant failingSince;
  private volatile String copyProgress;
  private volatile boolean closed;
  private int failures; // on the mirror's thread only
  private long lastProgressLog;

  /** What a listener learns after each poll that changed the copy; called on the mirror's thread. */
  @FunctionalInterface
  public interface MirrorListener {
    void applied(MirrorChanges changes);
  }

  private WarehouseMirror(String pgJdbcUrl, DuckDbWarehouse local, Duration interval, MeterRegistry registry,
                          Clock clock, ScheduledExecutorService thread) throws SQLException {
    this.pgJdbcUrl = pgJdbcUrl;
    this.local = local;
    this.interval = interval;
    this.registry = registry;
    this.clock = clock;
    this.thread = thread;
    prepareLocal();
    Gauge.builder("trackside.mirror.lag.seconds", this, WarehouseMirror::lagSeconds)
        .description("age of the last successful copy from PostgreSQL").strongReference(true).register(registry);
    Gauge.builder("trackside.mirror.poll.seconds", this, m -> m.lastPollSeconds)
        .description("duration of the last poll of PostgreSQL, successful or not").strongReference(true)
        .register(registry);
  }

  /**
   * Starts copying on a thread of its own, the first poll at once (a full copy on an empty file,
   * which may take a while: its progress is logged and shown by {@link #check}).
   *
   * @throws IllegalStateException when the local file holds events that are not a mirror's
   */
  public static WarehouseMirror start(String pgJdbcUrl, DuckDbWarehouse local, Duration interval,
                                      MeterRegistry registry) throws SQLException {
    ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "warehouse-mirror");
      t.setDaemon(true);
      return t;
    });
    WarehouseMirror mirror;
    try {
      mirror = new WarehouseMirror(pgJdbcUrl, local, interval, registry, Clock.systemUTC(), thread);
    } catch (SQLException | RuntimeException e) {
      thread.shutdown();
      throw e;
    }
    thread.execute(mirror::pollAndReschedule);
    return mirror;
  }

  /** For tests: a mirror without a thread, brought up to date by {@link #syncNow}. */
  static WarehouseMirror manual(String pgJdbcUrl, DuckDbWarehouse local, Duration interval, MeterRegistry registry,
                                Clock clock) throws SQLException {
    return new WarehouseMirror(pgJdbcUrl, local, interval, registry, clock, null);
  }

  public void addListener(MirrorListener listener) {
    listeners.add(listener);
  }

  /** The mirror's tables in the local file; refuses a file that holds events of its own. */
  private void prepareLocal() throws SQLException {
    try (Connection duck = local.newConnection(); Statement s = duck.createStatement()) {
      MirrorState.createTable(duck);
      if (MirrorState.load(duck) == null) {
        try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM quarantine)"
            + " + (SELECT count(*) FROM identities)")) {
          rs.next();
          if (rs.getLong(1) > 0) {
            throw new IllegalStateException("the local warehouse holds rows that were not copied from PostgreSQL"
                + " (it was a DuckDB warehouse before?); a mirror needs a file of its own: move it aside");
          }
        }
      }
      // Staging tables for the rows that replace or update others; recreated on every start so
      // that they follow columns added to their tables.
      s.execute("CREATE OR REPLACE TABLE mirror_incoming_quarantine AS SELECT * FROM quarantine LIMIT 0");
      s.execute("CREATE OR REPLACE TABLE mirror_incoming_identities AS SELECT * FROM identities LIMIT 0");
    }
  }

  /**
   * Copies what PostgreSQL transactions committed since the last poll; on the caller's thread,
   * never beside another poll.
   */
  public void syncNow() throws SQLException {
    synchronized (polling) {
      if (closed) {
        throw new SQLException("the mirror is closed");
      }
      long started = System.nanoTime();
      try {
        MirrorPoll.Result result = pollOnce();
        lastSuccess = clock.instant();
        lastFailure = null;
        failingSince = null;
        copyProgress = null;
        record(result);
      } catch (SQLException | RuntimeException e) {
        closePg();
        lastFailure = e.getMessage();
        if (failingSince == null) {
          failingSince = clock.instant();
        }
        throw e;
      } finally {
        lastPollSeconds = (System.nanoTime() - started) / 1e9;
      }
    }
  }

  private MirrorPoll.Result pollOnce() throws SQLException {
    if (pg == null) {
      pg = connectPg();
    }
    DuckDBConnection duck = local.duplicateConnection();
    try {
      duck.setAutoCommit(false);
      MirrorPoll.Result result = new MirrorPoll(pg, duck, this::progress).run();
      duck.close();
      return result;
    } catch (SQLException | RuntimeException e) {
      discard(duck);
      throw e;
    }
  }

  private Connection connectPg() throws SQLException {
    Properties settings = new Properties();
    settings.setProperty("connectTimeout", "10");
    settings.setProperty("ApplicationName", "trackside-mirror");
    Connection conn = DriverManager.getConnection(pgJdbcUrl, settings);
    try {
      conn.setAutoCommit(false); // also what makes the driver stream with a fetch size
      conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      conn.setReadOnly(true);
      return conn;
    } catch (SQLException | RuntimeException e) {
      conn.close();
      throw e;
    }
  }

  private void record(MirrorPoll.Result result) {
    result.copied().forEach((table, n) -> counter(copied, "trackside.mirror.rows.copied", table,
        "rows copied from PostgreSQL (inserted or updated)").increment(n));
    result.deleted().forEach((table, n) -> counter(deleted, "trackside.mirror.rows.deleted", table,
        "rows deleted from the copy as they were from PostgreSQL").increment(n));
    MirrorChanges changes = result.changes();
    if (changes.fullCopy()) {
      log.info("Mirror: first copy from PostgreSQL done: {}",
          result.copied().isEmpty() ? "it holds nothing yet" : "rows per table " + result.copied());
    }
    if (changes.newEvents().isEmpty() && changes.changedDays().isEmpty()) {
      return;
    }
    for (MirrorListener listener : listeners) {
      try {
        listener.applied(changes);
      } catch (RuntimeException e) {
        log.warn("Mirror: a listener failed: {}", e.toString());
      }
    }
  }

  private Counter counter(Map<String, Counter> counters, String name, String table, String description) {
    return counters.computeIfAbsent(table, t -> Counter.builder(name).description(description).tag("table", t)
        .register(registry));
  }

  private void progress(long copiedSoFar, long total) {
    copyProgress = copiedSoFar + " of " + total + " events";
    long now = System.nanoTime();
    if (now - lastProgressLog >= PROGRESS_EVERY.toNanos()) {
      lastProgressLog = now;
      log.info("Mirror: first copy from PostgreSQL: {} of {} events", copiedSoFar, total);
    }
  }

  private void pollAndReschedule() {
    if (closed) {
      return;
    }
    Duration next = interval;
    try {
      syncNow();
      if (failures > 0) {
        log.info("Mirror: PostgreSQL read again after {} failed polls", failures);
      }
      failures = 0;
    } catch (SQLException | RuntimeException e) {
      failures++;
      // interval · 2, 4, 8, ... up to a minute: an outage costs neither PostgreSQL nor the log much
      long factor = 1L << Math.min(failures, 10);
      next = interval.multipliedBy(factor).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : interval.multipliedBy(factor);
      log.warn("Mirror: poll {} failed ({}); the dashboard shows the copy as of {}; next try in {} s", failures,
          e.getMessage(), lastSuccess == null ? "never" : lastSuccess, next.toSeconds());
    }
    if (!closed) {
      try {
        thread.schedule(this::pollAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
        // closed meanwhile
      }
    }
  }

  /** Seconds since the last successful poll; NaN before the first. */
  double lagSeconds() {
    Instant last = lastSuccess;
    return last == null ? Double.NaN : Duration.between(last, clock.instant()).toMillis() / 1000.0;
  }

  /** Null when the copy is current enough to serve; else what is wrong, for /readyz. */
  public String check() {
    if (closed) {
      return "the mirror of PostgreSQL is closed";
    }
    Instant last = lastSuccess;
    String failure = lastFailure;
    if (last == null) {
      String progress = copyProgress;
      return failure != null ? "cannot copy from PostgreSQL: " + failure + "; no copy yet"
          : "first copy from PostgreSQL in progress" + (progress == null ? "" : ": " + progress);
    }
    Duration age = Duration.between(last, clock.instant());
    Duration staleAfter = interval.multipliedBy(3).compareTo(STALE_AFTER) > 0 ? interval.multipliedBy(3) : STALE_AFTER;
    if (failure != null && age.compareTo(staleAfter) > 0) {
      return "cannot copy from PostgreSQL since " + failingSince + ": " + failure + "; serving the copy as of " + last
          + " (" + age.toSeconds() + " s old)";
    }
    return null;
  }

  /**
   * After a failure: nothing appended may ever be committed. As {@link WriteSession#discard}: make
   * sure a transaction is open for the Appender's flush on close to land in, then disconnect.
   */
  private static void discard(DuckDBConnection duck) {
    try {
      duck.rollback();
    } catch (SQLException | RuntimeException ignored) {
      // the transaction may already be gone; the BEGIN below still ensures one is open
    }
    try (Statement s = duck.createStatement()) {
      s.execute("BEGIN TRANSACTION");
    } catch (SQLException | RuntimeException alreadyOpen) {
      // fine: a transaction is open
    }
    try {
      duck.close();
    } catch (SQLException | RuntimeException ignored) {
      // abandoning it
    }
  }

  private void closePg() {
    if (pg != null) {
      try {
        pg.close();
      } catch (SQLException | RuntimeException ignored) {
        // reconnecting anyway
      }
      pg = null;
    }
  }

  /** Stops polling (waiting for a poll in progress) and disconnects; the local copy stays as it is. */
  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      thread.shutdown();
      try {
        if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
          log.warn("Mirror: a poll was still running after 30 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (polling) {
      closePg();
    }
  }
}
