package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One row per session of the non-bot events, kept next to the events so that the dashboard's
 * unfiltered questions read a table eight times smaller than the events (see RATIONALE.md,
 * "Dashboard queries"). It is derived data: it can always be rebuilt from the events, and it is.
 *
 * <p>How it follows the events without a hook in every writer: per UTC day of the events it
 * remembers a fingerprint (rows, sum of log offsets, sum of partitions) as of its last rebuild of
 * that day. A pass compares the fingerprints of the events with those, and rebuilds the days
 * that differ — new events, late or replayed ones, deletions of a person all change the sums.
 * Recent days (from yesterday on), and older days that events received since the last pass
 * belong to (imports, backfills), are compared every {@code interval}; the whole table every
 * {@link #FULL_EVERY} passes. A day is rebuilt in one transaction: the sessions that touch it
 * are grouped again from the events around it (a session is at most 25 hours long: it ends at
 * the site's midnight, and a day can have 25 hours).
 *
 * <p>A day whose only change is new events written by this node's warehouse writer — today,
 * under load — is not regrouped whole: the writer's log positions, read in the same snapshot as
 * the day's last rebuild, say which events are new, and only their sessions (and the hours of
 * their products) are grouped again ({@link #refresh}). That is checked: the day's fingerprint
 * must be the one of its last rebuild plus the new events', or the day is rebuilt whole. A full
 * day's regrouping every few seconds costs in proportion to the day's events, so at 10,000
 * events/s it took a growing share of a core from the pipeline.
 *
 * <p>A dashboard node's {@link WarehouseMirror} copies events that may be neither recent nor
 * recently received here — a PostgreSQL transaction that committed late, the catch-up after an
 * outage — and deletes events of any day; it tells the rollup their days ({@link #changed}) so that
 * the next pass compares them too, instead of the next full one.
 *
 * <p>{@link #ready()} is false until the first full pass has finished; until then, and for
 * filtered or bot-inclusive questions, the queries group the events themselves.
 */
public final class SessionRollup implements AutoCloseable {
  static final int FULL_EVERY = 30;
  /** The warehouse writer's consumer group in log_positions (WarehouseWriter.GROUP). */
  private static final String WRITER_GROUP = "warehouse";
  static final int SKIP_AFTER_FAILURE = 12;
  /**
   * Events regrouped in one transaction at most (whole days; a busier day goes alone): 3.4M at
   * once (~430k sessions) ran out of the warehouse's 192 MB on a test of 10M events; 0.8M (a week
   * there) ran within it.
   */
  static final long MAX_EVENTS_AT_ONCE = 1_000_000;
  /** How long after its receipt an event is written at most, as far as the look-back for imports cares. */
  private static final Duration WRITE_DELAY = Duration.ofMinutes(5);
  /** Longer than any session: 25 hours, plus an hour for late client clocks. */
  private static final Duration REACH = Duration.ofHours(26);
  private static final Logger log = LoggerFactory.getLogger(SessionRollup.class);

  private final Connection conn;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private volatile boolean ready;
  /** The newest received_at (epoch µs) the last pass saw: events received after it may be of any day. */
  private long receivedUpTo = Long.MIN_VALUE;
  /**
   * Per day, the warehouse writer's log positions in the snapshot the day was last rolled up
   * from. In memory only: after a restart a changed day is rebuilt whole once.
   */
  private final Map<LocalDate, Map<Integer, Long>> rolledAt = new HashMap<>();
  /** Whether this warehouse has the writer's positions (a dashboard node's mirror has not). */
  private Boolean hasWriterPositions;
  /** Days brought up to date from their new events only, and days rebuilt whole (for tests). */
  int refreshed;
  int rebuilt;
  private int passes;
  private int skip;
  /** The oldest day {@link #changed} named since the last pass took it; null when none. */
  private final AtomicReference<LocalDate> oldestChanged = new AtomicReference<>();

  private record Fingerprint(long rows, long offsets, long partitions) {
  }

  private SessionRollup(Connection conn, Clock clock, ScheduledExecutorService thread) {
    this.conn = conn;
    this.clock = clock;
    this.thread = thread;
  }

  /** Creates the tables if needed and starts following the events on a thread of its own. */
  public static SessionRollup start(DuckDbWarehouse warehouse, Duration interval, Clock clock) throws SQLException {
    Connection conn = warehouse.newConnection();
    createTables(conn);
    ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(io.trackside.pipeline.BackgroundPriority.lowered(r), "session-rollup");
      t.setDaemon(true);
      return t;
    });
    SessionRollup rollup = new SessionRollup(conn, clock, thread);
    thread.scheduleWithFixedDelay(rollup::passQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return rollup;
  }

  /**
   * The table's columns, in the order {@link #rebuild} selects them. A table of another shape (an
   * older version's) is dropped on start and built again by the first pass: it is derived data.
   */
  static final String COLUMNS = "session_id VARCHAR, visitor_id VARCHAR, visitor_key UBIGINT,"
      + " started_at TIMESTAMP, ended_at TIMESTAMP, duration DOUBLE, pageviews BIGINT, orders BIGINT,"
      + " revenue DECIMAL(38,4), currency VARCHAR, entry_page VARCHAR, exit_page VARCHAR, channel VARCHAR,"
      + " referrer_source VARCHAR, utm_source VARCHAR, utm_medium VARCHAR, utm_campaign VARCHAR";

  /** {@code product_rollup}'s columns, see {@link Ecommerce#productsPerHour}. */
  static final String PRODUCT_COLUMNS = "hour TIMESTAMP, product VARCHAR, name VARCHAR, views BIGINT, adds BIGINT,"
      + " units DECIMAL(38,4), amount DECIMAL(38,4)";

  /** {@code search_rollup}'s columns, see {@link Ecommerce#searchesOf}. */
  static final String SEARCH_COLUMNS = "session_id VARCHAR, searched_at TIMESTAMP, query VARCHAR, clicked BOOLEAN";

  static void createTables(Connection conn) throws SQLException {
    dropIfOtherShape(conn);
    try (Statement s = conn.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS session_rollup (" + COLUMNS + ")");
      s.execute("CREATE TABLE IF NOT EXISTS product_rollup (" + PRODUCT_COLUMNS + ")");
      s.execute("CREATE TABLE IF NOT EXISTS search_rollup (" + SEARCH_COLUMNS + ")");
      s.execute("COMMENT ON TABLE search_rollup IS 'one row per product search of the non-bot sessions, and whether"
          + " a click followed it, for the dashboard; rebuilt with session_rollup'");
      s.execute("COMMENT ON TABLE product_rollup IS 'per UTC hour and product, views, adds to cart, units bought"
          + " and their amount of the non-bot events, for the dashboard; rebuilt with session_rollup'");
      s.execute("COMMENT ON TABLE session_rollup IS 'one row per session of the non-bot events, derived from"
          + " events for the dashboard; rebuilt by day when the events change (SessionRollup)'");
      s.execute("CREATE TABLE IF NOT EXISTS session_rollup_days (day DATE PRIMARY KEY, events BIGINT,"
          + " offsets BIGINT, partitions BIGINT)");
      s.execute("COMMENT ON TABLE session_rollup_days IS 'per UTC day, the fingerprint of the events as of the"
          + " last rebuild of session_rollup for that day'");
    }
  }

  /**
   * Drops the rollup tables and their fingerprints when session_rollup exists and either table
   * is not of this version's shape (or product_rollup is missing), so that the first pass builds
   * every day again.
   */
  private static void dropIfOtherShape(Connection conn) throws SQLException {
    String sessions = shape(conn, "session_rollup");
    if (!sessions.isEmpty()
        && (!sessions.equals(COLUMNS) || !shape(conn, "product_rollup").equals(PRODUCT_COLUMNS)
            || !shape(conn, "search_rollup").equals(SEARCH_COLUMNS))) {
      log.info("Session rollup: its columns changed; building it again");
      try (Statement s = conn.createStatement()) {
        s.execute("DROP TABLE session_rollup");
        s.execute("DROP TABLE IF EXISTS product_rollup");
        s.execute("DROP TABLE IF EXISTS search_rollup");
        s.execute("DROP TABLE IF EXISTS session_rollup_days");
      }
    }
  }

  /** A table's columns as in its CREATE TABLE ("name TYPE, ..."); empty when there is no such table. */
  private static String shape(Connection conn, String table) throws SQLException {
    StringBuilder shape = new StringBuilder();
    SqlRows.query(conn, "SELECT column_name, data_type FROM information_schema.columns"
        + " WHERE table_name = ? AND table_schema = 'main' ORDER BY ordinal_position", List.of(table),
        rs -> shape.append(shape.isEmpty() ? "" : ", ").append(rs.getString(1)).append(' ').append(rs.getString(2)));
    return shape.toString();
  }

  /** For tests: a rollup without a thread, brought up to date by {@link #refreshNow}. */
  static SessionRollup manual(DuckDbWarehouse warehouse) throws SQLException {
    Connection conn = warehouse.newConnection();
    createTables(conn);
    return new SessionRollup(conn, Clock.systemUTC(), null);
  }

  /** For tests: one full pass now, on the caller's thread (only for a rollup made by {@link #manual}). */
  void refreshNow() throws SQLException {
    pass(null);
    ready = true;
  }

  /**
   * Days (UTC, of the events' timestamp) whose events changed behind the rollup's back; the next
   * pass compares every day from the oldest of them on. Safe from any thread.
   */
  public void changed(java.util.Collection<LocalDate> days) {
    for (LocalDate day : days) {
      oldestChanged.accumulateAndGet(day, (oldest, d) -> oldest == null || d.isBefore(oldest) ? d : oldest);
    }
  }

  /** True once every day has been rolled up at least once; from then on at most one interval behind. */
  public boolean ready() {
    return ready;
  }

  private void passQuietly() {
    if (skip > 0) {
      skip--;
      return;
    }
    try {
      boolean full = passes++ % FULL_EVERY == 0;
      long received = newestReceived();
      // Taken before the pass: a day named during it is compared by the next one. After a failure
      // the next pass is a full one, so a day taken here is never lost.
      LocalDate changed = oldestChanged.getAndSet(null);
      LocalDate since = full ? null
          : oldestDayReceivedSince(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(1));
      if (since != null && changed != null && changed.isBefore(since)) {
        since = changed;
      }
      pass(since);
      receivedUpTo = received;
      if (full) {
        ready = true;
      }
    } catch (SQLException | RuntimeException e) {
      passes = 0; // the next pass is a full one, after a pause: a failing pass should not run flat out
      skip = SKIP_AFTER_FAILURE;
      log.warn("Session rollup: {} (the dashboard groups the events itself meanwhile)", e.getMessage());
      ready = false;
    }
  }

  private long newestReceived() throws SQLException {
    long[] newest = {receivedUpTo};
    SqlRows.query(conn, "SELECT epoch_us(max(received_at)) FROM events", List.of(), rs -> {
      long value = rs.getLong(1);
      if (!rs.wasNull()) {
        newest[0] = value;
      }
      return null;
    });
    return newest[0];
  }

  /**
   * {@code since}, or an older day when events of that day arrived since the last pass: an import
   * of history or a backfill shows in the next pass, not only in the next full one. Events are
   * written a little after they are received, so the look-back starts {@link #WRITE_DELAY} earlier.
   */
  private LocalDate oldestDayReceivedSince(LocalDate since) throws SQLException {
    if (receivedUpTo == Long.MIN_VALUE) {
      return null; // nothing seen yet: compare every day
    }
    LocalDate[] oldest = {since};
    SqlRows.query(conn, "SELECT min(CAST(timestamp AS DATE)) FROM events WHERE received_at > make_timestamp(?)",
        List.of(receivedUpTo - WRITE_DELAY.toNanos() / 1000), rs -> {
          LocalDate day = rs.getObject(1, LocalDate.class);
          if (day != null && day.isBefore(oldest[0])) {
            oldest[0] = day;
          }
          return null;
        });
    return oldest[0];
  }

  /** Rebuilds the days, from {@code since} on (all when null), whose events changed. */
  void pass(LocalDate since) throws SQLException {
    Instant from = since == null ? Instant.EPOCH.minus(Duration.ofDays(365 * 100)) : since.atStartOfDay(ZoneOffset.UTC).toInstant();
    Map<LocalDate, Fingerprint> events = fingerprints(conn, "SELECT CAST(timestamp AS DATE) AS day, count(*) AS n,"
        + " coalesce(sum(log_offset), 0) AS offsets, coalesce(sum(log_partition), 0) AS partitions FROM events"
        + " WHERE timestamp >= make_timestamp(?) AND timestamp IS NOT NULL GROUP BY 1", from);
    Map<LocalDate, Fingerprint> rolled = fingerprints(conn, "SELECT day, events AS n, offsets, partitions"
        + " FROM session_rollup_days WHERE day >= CAST(make_timestamp(?) AS DATE)", from);
    TreeSet<LocalDate> stale = new TreeSet<>();
    for (Map.Entry<LocalDate, Fingerprint> day : events.entrySet()) {
      if (!Objects.equals(day.getValue(), rolled.get(day.getKey()))) {
        stale.add(day.getKey());
      }
    }
    for (LocalDate day : rolled.keySet()) {
      if (!events.containsKey(day)) {
        stale.add(day); // every event of the day was deleted
      }
    }
    // Neighbouring stale days are rebuilt together: one pass over their events instead of one
    // per day (the first pass over a large table would otherwise read each event five times).
    LocalDate first = null;
    LocalDate last = null;
    long rows = 0;
    for (LocalDate day : stale) {
      long dayRows = events.containsKey(day) ? events.get(day).rows() : 0;
      if (first != null && (day.isAfter(last.plusDays(2)) || rows + dayRows > MAX_EVENTS_AT_ONCE)) {
        update(first, last);
        first = null;
      }
      if (first == null) {
        first = day;
        rows = 0;
      }
      last = day;
      rows += dayRows;
    }
    if (first != null) {
      update(first, last);
    }
  }

  /** One day from its new events when that explains its change, else the days whole. */
  private void update(LocalDate first, LocalDate last) throws SQLException {
    Map<Integer, Long> since = first.equals(last) ? rolledAt.get(first) : null;
    long started = System.nanoTime();
    if (since != null && refresh(first, since)) {
      refreshed++;
      log.debug("Session rollup: {} from its new events in {} ms", first, (System.nanoTime() - started) / 1_000_000);
      return;
    }
    rebuild(first, last);
    rebuilt++;
    log.debug("Session rollup: {}..{} rebuilt in {} ms", first, last, (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * The writer's next log offset per partition, in the current transaction's snapshot; null where
   * the warehouse has no writer positions.
   */
  private Map<Integer, Long> writerPositions() throws SQLException {
    if (hasWriterPositions == null) {
      hasWriterPositions = !shape(conn, "log_positions").isEmpty();
    }
    if (!hasWriterPositions) {
      return null;
    }
    Map<Integer, Long> positions = new HashMap<>();
    SqlRows.query(conn, "SELECT partition, next_offset FROM log_positions WHERE consumer = ?", List.of(WRITER_GROUP),
        rs -> positions.put(rs.getInt(1), rs.getLong(2)));
    return positions;
  }

  /** SQL true for an events row beyond these positions (written after them). */
  private static String beyond(Map<Integer, Long> positions) {
    if (positions.isEmpty()) {
      return "true";
    }
    StringBuilder sql = new StringBuilder("log_offset >= CASE log_partition");
    positions.forEach((partition, next) -> sql.append(" WHEN ").append(partition).append(" THEN ").append(next));
    return sql.append(" ELSE 0 END").toString();
  }

  /**
   * Brings one day up to date from the events written since it was last rolled up: only their
   * sessions, searches and product hours are grouped again. Returns false, having changed
   * nothing, when those events do not account for the day's change (a deletion, a replayed or
   * imported event, events of another writer).
   */
  private boolean refresh(LocalDate day, Map<Integer, Long> since) throws SQLException {
    long start = StatsScope.utc(day.atStartOfDay(ZoneOffset.UTC).toInstant());
    long end = StatsScope.utc(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    long reach = REACH.toNanos() / 1000;
    String ofTheDay = "timestamp >= make_timestamp(" + start + ") AND timestamp < make_timestamp(" + end + ")";
    conn.setAutoCommit(false);
    boolean committed = false;
    try (Statement s = conn.createStatement()) {
      Map<Integer, Long> positions = writerPositions(); // first: the positions of this transaction's snapshot
      if (positions == null) {
        return false;
      }
      s.execute("CREATE OR REPLACE TEMP TABLE new_rows AS SELECT session_id, timestamp, log_offset, log_partition"
          + " FROM events WHERE " + ofTheDay + " AND " + beyond(since));
      // No row for the day (it had no events when rolled up) answers nothing: rebuilt whole.
      List<Boolean> accounted = SqlRows.query(conn, "SELECT r.events + n.c = a.c"
          + " AND r.offsets + n.o = a.o AND r.partitions + n.p = a.p FROM"
          + " (SELECT events, offsets, partitions FROM session_rollup_days"
          + "  WHERE day = CAST(make_timestamp(" + start + ") AS DATE)) r,"
          + " (SELECT count(*) AS c, coalesce(sum(log_offset), 0) AS o, coalesce(sum(log_partition), 0) AS p FROM new_rows) n,"
          + " (SELECT count(*) AS c, coalesce(sum(log_offset), 0) AS o, coalesce(sum(log_partition), 0) AS p"
          + "  FROM events WHERE " + ofTheDay + ") a", List.of(), rs -> rs.getBoolean(1));
      if (!accounted.equals(List.of(true))) {
        return false;
      }
      s.execute(freshSessions(start, end, "SELECT session_id FROM new_rows"));
      s.execute("DELETE FROM search_rollup WHERE session_id IN (SELECT session_id FROM new_rows)");
      s.execute("INSERT INTO search_rollup SELECT session_id, searched_at, query, clicked FROM ("
          + Ecommerce.searchesOf("e.timestamp >= make_timestamp(" + (start - reach) + ") AND e.timestamp < make_timestamp("
          + (end + reach) + ") AND NOT coalesce(e.is_bot, false)"
          + " AND e.session_id IN (SELECT session_id FROM fresh_sessions)") + ") fresh");
      s.execute("DELETE FROM session_rollup WHERE session_id IN (SELECT session_id FROM new_rows)");
      s.execute("INSERT INTO session_rollup SELECT * FROM fresh_sessions");
      s.execute("DROP TABLE fresh_sessions");
      s.execute("CREATE OR REPLACE TEMP TABLE new_hours AS SELECT DISTINCT date_trunc('hour', timestamp) AS hour FROM new_rows");
      s.execute("DELETE FROM product_rollup WHERE hour IN (SELECT hour FROM new_hours)");
      s.execute("INSERT INTO product_rollup SELECT hour, product, name, views, adds, units, amount FROM ("
          + Ecommerce.productsPerHour("e.timestamp >= make_timestamp(" + start + ") AND e.timestamp < make_timestamp("
          + end + ") AND NOT coalesce(e.is_bot, false) AND date_trunc('hour', e.timestamp) IN (SELECT hour FROM new_hours)")
          + ") per_hour");
      s.execute("DROP TABLE new_hours");
      s.execute("DROP TABLE new_rows");
      s.execute("DELETE FROM session_rollup_days WHERE day = CAST(make_timestamp(" + start + ") AS DATE)");
      s.execute("INSERT INTO session_rollup_days SELECT CAST(timestamp AS DATE), count(*),"
          + " coalesce(sum(log_offset), 0), coalesce(sum(log_partition), 0) FROM events WHERE " + ofTheDay + " GROUP BY 1");
      conn.commit();
      committed = true;
      rolledAt.put(day, positions);
      return true;
    } finally {
      if (!committed) {
        conn.rollback();
      }
      conn.setAutoCommit(true);
    }
  }

  private static Map<LocalDate, Fingerprint> fingerprints(Connection conn, String sql, Instant from) throws SQLException {
    Map<LocalDate, Fingerprint> days = new HashMap<>();
    SqlRows.query(conn, sql, List.of(StatsScope.utc(from)), rs -> days.put(rs.getObject("day", LocalDate.class),
        new Fingerprint(rs.getLong("n"), rs.getLong("offsets"), rs.getLong("partitions"))));
    return days;
  }

  /** Regroups the sessions that touch the UTC days first..last, in one transaction with the days' fingerprints. */
  private void rebuild(LocalDate first, LocalDate last) throws SQLException {
    long start = StatsScope.utc(first.atStartOfDay(ZoneOffset.UTC).toInstant());
    long end = StatsScope.utc(last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    long reach = REACH.toNanos() / 1000;
    // The instants below are written into the SQL as numbers: they are computed here from a
    // LocalDate, never taken from a request.
    conn.setAutoCommit(false);
    try (Statement s = conn.createStatement()) {
      Map<Integer, Long> positions = writerPositions(); // first: the positions of this transaction's snapshot
      s.execute(freshSessions(start, end, "SELECT session_id FROM events WHERE timestamp >= make_timestamp(" + start
          + ") AND timestamp < make_timestamp(" + end + ")"));
      // The searches of the sessions that touch the days, as below (a search's click can come
      // after midnight UTC): first, while session_rollup still has the stored sessions
      s.execute("DELETE FROM search_rollup WHERE session_id IN (SELECT session_id FROM session_rollup"
          + " WHERE ended_at >= make_timestamp(" + start + ") AND started_at < make_timestamp(" + end + "))"
          + " OR session_id IN (SELECT session_id FROM fresh_sessions)");
      s.execute("INSERT INTO search_rollup SELECT session_id, searched_at, query, clicked FROM ("
          + Ecommerce.searchesOf("e.timestamp >= make_timestamp(" + (start - reach) + ") AND e.timestamp < make_timestamp("
          + (end + reach) + ") AND NOT coalesce(e.is_bot, false)"
          + " AND e.session_id IN (SELECT session_id FROM fresh_sessions)") + ") fresh");
      // Rows of the sessions that touch the day (as stored, or as they are now): a late event can
      // move a session's start into this day from the next.
      s.execute("DELETE FROM session_rollup WHERE (ended_at >= make_timestamp(" + start + ")"
          + " AND started_at < make_timestamp(" + end + "))"
          + " OR session_id IN (SELECT session_id FROM fresh_sessions)");
      s.execute("INSERT INTO session_rollup SELECT * FROM fresh_sessions");
      s.execute("DROP TABLE fresh_sessions");
      // products by the hour of each event: the days' events exactly, no reach
      s.execute("DELETE FROM product_rollup WHERE hour >= make_timestamp(" + start + ")"
          + " AND hour < make_timestamp(" + end + ")");
      s.execute("INSERT INTO product_rollup SELECT hour, product, name, views, adds, units, amount FROM ("
          + Ecommerce.productsPerHour("e.timestamp >= make_timestamp(" + start + ") AND e.timestamp < make_timestamp("
          + end + ") AND NOT coalesce(e.is_bot, false)") + ") per_hour");
      s.execute("DELETE FROM session_rollup_days WHERE day >= CAST(make_timestamp(" + start + ") AS DATE)"
          + " AND day < CAST(make_timestamp(" + end + ") AS DATE)");
      s.execute("INSERT INTO session_rollup_days SELECT CAST(timestamp AS DATE), count(*),"
          + " coalesce(sum(log_offset), 0), coalesce(sum(log_partition), 0) FROM events"
          + " WHERE timestamp >= make_timestamp(" + start + ") AND timestamp < make_timestamp(" + end + ") GROUP BY 1");
      conn.commit();
      for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
        if (positions == null || positions.isEmpty()) { // no writer here (a mirror): no day can be refreshed
          rolledAt.remove(day);
        } else {
          rolledAt.put(day, positions);
        }
      }
    } catch (SQLException | RuntimeException e) {
      conn.rollback();
      throw e;
    } finally {
      conn.setAutoCommit(true);
    }
  }

  /**
   * Creates the temp table fresh_sessions: the non-bot sessions named by the query, grouped from
   * their events within reach of the days from start to end, those that touch the days.
   */
  private static String freshSessions(long start, long end, String sessions) {
    long reach = REACH.toNanos() / 1000;
    String order = "(timestamp, received_at, log_offset)";
    return "CREATE OR REPLACE TEMP TABLE fresh_sessions AS SELECT session_id, max(visitor_id) AS visitor_id,"
        + " " + ScopedSessions.VISITOR_KEY + " AS visitor_key, min(timestamp) AS started_at, max(timestamp) AS ended_at,"
        + " epoch(max(timestamp)) - epoch(min(timestamp)) AS duration,"
        + " count(*) FILTER (WHERE " + ScopedSessions.IS_PAGE + ") AS pageviews,"
        + " count(*) FILTER (WHERE " + ScopedSessions.IS_ORDER + ") AS orders,"
        + " coalesce(sum(CASE WHEN " + ScopedSessions.IS_ORDER + " THEN " + PeopleSchema.ORDER_AMOUNT + " END), 0)"
        + "   AS revenue,"
        + " max(CASE WHEN " + ScopedSessions.IS_ORDER + " THEN properties->>'currency' END) AS currency,"
        + " " + SessionColumns.aggregate("entry_page", "events") + " AS entry_page,"
        + " " + SessionColumns.aggregate("exit_page", "events") + " AS exit_page,"
        + " arg_min_null(channel, " + order + ") AS channel,"
        + " arg_min_null(referrer_source, " + order + ") AS referrer_source,"
        + " arg_min_null(utm_source, " + order + ") AS utm_source,"
        + " arg_min_null(utm_medium, " + order + ") AS utm_medium,"
        + " arg_min_null(utm_campaign, " + order + ") AS utm_campaign"
        + " FROM events WHERE timestamp >= make_timestamp(" + (start - reach) + ")"
        + " AND timestamp < make_timestamp(" + (end + reach) + ") AND session_id IN (" + sessions + ")"
        + " AND NOT coalesce(is_bot, false) GROUP BY session_id"
        + " HAVING max(timestamp) >= make_timestamp(" + start + ") AND min(timestamp) < make_timestamp(" + end + ")";
  }

  private static boolean shutdown(ScheduledExecutorService thread) throws InterruptedException {
    thread.shutdown();
    return thread.awaitTermination(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    try {
      if (thread != null && !shutdown(thread)) {
        log.warn("Session rollup: a rebuild was still running after 30 s");
      }
      conn.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SQLException e) {
      log.warn("Session rollup: closing its connection: {}", e.getMessage());
    }
  }
}
