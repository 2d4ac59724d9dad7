package io.trackside.warehouse;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded warehouse: one DuckDB file holding the events, the quarantine and the log
 * positions of the consumers that write here.
 *
 * <p>Writes ({@link #write}) are batches made exactly-once in effect: rows and the consumer's new
 * log positions commit in one transaction, so after a crash the consumer resumes from
 * {@link #positions} and recovery never writes a row twice. Client retries (the same
 * messageId sent again) are a separate matter, handled by a bounded window of recent ids that
 * is checked before appending — the Appender fails a whole batch on a constraint violation,
 * so the events table deliberately has no primary key.
 *
 * <p>Reads go through their own connection and see committed data only; they may run while
 * writes are in progress. DuckDB lets one process own the file, so everything that reads or
 * writes it goes through this object.
 */
public final class DuckDbWarehouse implements Warehouse {

  public static final int DEFAULT_RECENT_IDS = 2_000_000;
  /**
   * DuckDB's memory for writes and the dashboard's queries ({@code warehouse.memory-limit}). At
   * 192 MB a month of 10 million events made funnels and page breakdowns fail with "Out of
   * Memory" (docs/BENCHMARKS.md); DuckDB would take 80 % of the machine by default.
   */
  public static final String DEFAULT_MEMORY_LIMIT = "1GB";
  static final String WAL_AUTOCHECKPOINT = "64MB";
  /** Attempts of a write or deletion that meets a transaction conflict. */
  static final int CONFLICT_ATTEMPTS = 8;

  private static final Logger log = LoggerFactory.getLogger(DuckDbWarehouse.class);

  private final Path file;
  private final DuckDBConnection root;
  private final DuckDBConnection reader;
  private final Object readLock = new Object();
  private final ConcurrentLinkedDeque<WriteSession> idleSessions = new ConcurrentLinkedDeque<>();
  private final DedupeWindow dedupe;
  private final Suppressions suppressions = new Suppressions();
  /** Serialises the identity upserts and commits of concurrent writes (see WriteSession). */
  private final ReentrantLock identityLock = new ReentrantLock();
  private final Counter duplicates;
  private final Counter unstorable;
  private volatile String lastWriteFailure;
  private volatile boolean closed;
  volatile WriteSession.RowHook rowHookForTests;

  private DuckDbWarehouse(Path file, DuckDBConnection root, int recentIdsCapacity, MeterRegistry registry)
      throws SQLException {
    this.file = file;
    this.root = root;
    this.reader = root.duplicate();
    this.dedupe = new DedupeWindow(recentIdsCapacity);
    this.duplicates = Counter.builder("trackside.warehouse.duplicates")
        .description("events not written because the same source and messageId were already stored")
        .register(registry);
    // Same meter as the writer's quarantine counter: this reason only arises here.
    this.unstorable = Counter.builder("trackside.warehouse.quarantined")
        .description("records written to the quarantine table, by reason")
        .tag("reason", UNSTORABLE)
        .register(registry);
  }

  public static DuckDbWarehouse open(Path file, MeterRegistry registry) {
    return open(file, registry, DEFAULT_RECENT_IDS);
  }

  /**
   * Opens (creating if needed) the database file and its tables, and reloads the dedupe window
   * from the newest events.
   *
   * @param recentIdsCapacity how many (source, messageId) pairs the dedupe window remembers;
   *                          16 bytes of memory each, plus a table of twice that many slots
   */
  public static DuckDbWarehouse open(Path file, MeterRegistry registry, int recentIdsCapacity) {
    return open(file, registry, recentIdsCapacity, DEFAULT_MEMORY_LIMIT);
  }

  /** As above, with DuckDB's memory limit in its own syntax ("512MB", "2GB"). */
  public static DuckDbWarehouse open(Path file, MeterRegistry registry, int recentIdsCapacity, String memoryLimit) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the directory for " + file, e);
    }
    DuckDBConnection root;
    try {
      // DuckDB would take 80 % of the machine's memory by default; Trackside shares the box with
      // the collector and the log, and DuckDB spills large queries to disk above this limit.
      java.util.Properties settings = new java.util.Properties();
      settings.setProperty("memory_limit", memoryLimit);
      // DuckDB checkpoints (compresses the WAL into the columnar file) every 16 MB of WAL by
      // default: with ~55 columns that is every few thousand rows, and it was 40 % of the write
      // cost. At 64 MB the same rows cost 24 instead of 40 µs each (measured side by side, 50
      // string columns, 5,000-row transactions); beyond 64 MB nothing more was gained.
      settings.setProperty("wal_autocheckpoint", WAL_AUTOCHECKPOINT);
      root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), settings);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the DuckDB warehouse " + file + ": " + e.getMessage()
          + " (is another Trackside process using it?)", e);
    }
    try {
      Schema.create(root);
      DuckDbWarehouse warehouse = new DuckDbWarehouse(file, root, recentIdsCapacity, registry);
      warehouse.loadRecentIds();
      warehouse.loadSuppressions();
      return warehouse;
    } catch (SQLException | RuntimeException e) {
      try {
        root.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e instanceof RuntimeException r ? r
          : new IllegalStateException("cannot prepare the DuckDB warehouse " + file + ": " + e.getMessage(), e);
    }
  }

  private void loadRecentIds() throws SQLException {
    long started = System.nanoTime();
    long[] hashes = new long[Math.min(dedupe.capacity(), 1 << 16)];
    int n = 0;
    try (PreparedStatement ps = reader.prepareStatement(
        "SELECT source, message_id FROM events WHERE message_id IS NOT NULL"
            + " ORDER BY received_at DESC, log_offset DESC LIMIT ?")) {
      ps.setInt(1, dedupe.capacity());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (n == hashes.length) {
            hashes = Arrays.copyOf(hashes, Math.min(dedupe.capacity(), hashes.length * 2));
          }
          hashes[n++] = RecentIds.hash(rs.getString(1), rs.getString(2));
        }
      }
    }
    long[] oldestFirst = new long[n]; // so that the oldest are evicted first
    for (int i = 0; i < n; i++) {
      oldestFirst[i] = hashes[n - 1 - i];
    }
    dedupe.addStored(oldestFirst, n);
    log.info("Warehouse {}: dedupe window holds {} recent ids (capacity {}), loaded in {} ms",
        file, n, dedupe.capacity(), (System.nanoTime() - started) / 1_000_000);
  }

  @Override
  public WriteResult write(WarehouseBatch batch, BeforeCommit beforeCommit) throws SQLException {
    if (closed) {
      throw new SQLException("warehouse is closed");
    }
    if (batch.fence() != null) {
      // Leases exist only on a shared PostgreSQL warehouse; a DuckDB file has one writer.
      throw new IllegalArgumentException("a fenced write needs warehouse.type: postgresql");
    }
    // Held from the suppression check to the commit: see Suppressions.
    suppressions.writes.readLock().lock();
    try {
      return writeUnlessSuppressed(batch, beforeCommit);
    } finally {
      suppressions.writes.readLock().unlock();
    }
  }

  private WriteResult writeUnlessSuppressed(WarehouseBatch batch, BeforeCommit beforeCommit) throws SQLException {
    SuppressedFilter filtered = SuppressedFilter.apply(suppressions, batch.events(), batch.quarantined());
    List<QuarantinedRecord> quarantined = filtered.quarantined();
    DedupeWindow.Reservation reservation = dedupe.reserve(filtered.events());
    boolean committed = false;
    int unstorableCount;
    try {
      if (beforeCommit != null && !reservation.fresh().isEmpty()) {
        beforeCommit.accept(reservation.fresh());
      }
      unstorableCount = writeRetryingConflicts(reservation.fresh(), quarantined, batch);
      committed = true;
    } finally {
      dedupe.settle(reservation, committed);
    }
    lastWriteFailure = null;
    duplicates.increment(reservation.duplicates().size());
    unstorable.increment(unstorableCount);
    return new WriteResult(reservation.fresh().size() - unstorableCount, reservation.duplicates().size(),
        quarantined.size() + unstorableCount, filtered.suppressedEvents(), filtered.suppressedQuarantine());
  }

  @Override
  public QuarantineResolution.Result resolveQuarantine(QuarantineResolution resolution) throws SQLException {
    if (closed) {
      throw new SQLException("warehouse is closed");
    }
    // As for write(): a deletion waits for this page, and this page sees the deletion's
    // suppressions. The identity lock is held throughout: the page links ids like a batch, and
    // replay is rare enough to take turns with the workers rather than retry conflicts.
    suppressions.writes.readLock().lock();
    identityLock.lock();
    try {
      return resolveUnlessSuppressed(resolution);
    } finally {
      identityLock.unlock();
      suppressions.writes.readLock().unlock();
    }
  }

  private QuarantineResolution.Result resolveUnlessSuppressed(QuarantineResolution resolution) throws SQLException {
    Map<LoggedEvent, QuarantineResolution.Passed> byEvent = new java.util.IdentityHashMap<>();
    List<LoggedEvent> events = new ArrayList<>(resolution.passed().size());
    List<String> removed = new ArrayList<>(resolution.removedIds());
    for (QuarantineResolution.Passed passed : resolution.passed()) {
      if (suppressions.suppressed(passed.event().event())) {
        removed.add(passed.quarantineId()); // an erased person's row goes, and nothing is written
        continue;
      }
      byEvent.put(passed.event(), passed);
      events.add(passed.event());
    }
    DedupeWindow.Reservation reservation = dedupe.reserve(events);
    boolean committed = false;
    QuarantineResolution.Result result;
    try {
      WriteSession session = session();
      try {
        result = session.resolve(reservation.fresh().stream().map(byEvent::get).toList(),
            reservation.duplicates().stream().map(e -> byEvent.get(e).quarantineId()).toList(),
            removed, resolution.stillFailing(), identityLock);
        committed = true;
      } catch (SQLException | RuntimeException e) {
        session.discard();
        session = null;
        throw e;
      } finally {
        if (session != null) {
          release(session);
        }
      }
    } finally {
      dedupe.settle(reservation, committed);
    }
    // Not counted in trackside.warehouse.duplicates: this row was counted once already, as
    // quarantined; the replay's own counter says what became of it.
    return result;
  }

  private int writeRetryingConflicts(List<LoggedEvent> fresh, List<QuarantinedRecord> quarantined,
                                     WarehouseBatch batch) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      // After a conflict the whole transaction takes the identity lock, so its snapshot stays
      // current for the identity rows until it commits: the second attempt cannot conflict again
      // (a deletion may still; it is retried too). The lock comes first: preparing a new
      // session's statements already starts its snapshot.
      boolean serialised = attempt > 1;
      if (serialised) {
        pause(attempt * 10L);
        identityLock.lock();
      }
      WriteSession session;
      try {
        session = session();
      } catch (SQLException | RuntimeException e) {
        if (serialised) {
          identityLock.unlock();
        }
        throw e;
      }
      try {
        int unstorableCount = session.write(fresh, quarantined, batch.consumer(), batch.nextOffsets(),
            rowHookForTests, identityLock);
        release(session);
        return unstorableCount;
      } catch (SQLException | RuntimeException e) {
        session.discard();
        if (isConflict(e) && attempt < CONFLICT_ATTEMPTS && !closed) {
          log.debug("Write conflict (attempt {}): {}; retrying", attempt, e.getMessage());
          continue;
        }
        lastWriteFailure = e.getMessage();
        throw e;
      } finally {
        if (serialised) {
          identityLock.unlock();
        }
      }
    }
  }

  /**
   * DuckDB's optimistic concurrency: two transactions touching the same row — or a primary key
   * one inserted after the other began — fail one of them at the statement or the commit.
   * Trying again, in a new transaction, sees the other's result.
   */
  static boolean isConflict(Exception e) {
    String message = e.getMessage();
    return message != null && (message.contains("Conflict on") || message.contains("write-write conflict")
        || message.contains("uplicate key") || message.contains("no transaction is active"));
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private WriteSession session() throws SQLException {
    WriteSession session = idleSessions.pollFirst();
    return session != null ? session : new WriteSession(root.duplicate());
  }

  private void release(WriteSession session) {
    idleSessions.addFirst(session);
    if (closed && idleSessions.remove(session)) { // close() ran meanwhile
      session.close();
    }
  }

  @Override
  public List<Map<String, Object>> recentEvents(int limit, String type, String event) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT * FROM events WHERE true");
    List<String> params = new ArrayList<>();
    if (type != null) {
      sql.append(" AND type = ?");
      params.add(type);
    }
    if (event != null) {
      sql.append(" AND event = ?");
      params.add(event);
    }
    sql.append(" ORDER BY received_at DESC, log_offset DESC, log_partition DESC LIMIT ?");
    synchronized (readLock) {
      try (PreparedStatement ps = reader.prepareStatement(sql.toString())) {
        int i = 1;
        for (String p : params) {
          ps.setString(i++, p);
        }
        ps.setInt(i, Math.max(0, limit));
        return ApiRows.read(ps);
      }
    }
  }

  @Override
  public List<Map<String, Object>> recentQuarantine(int limit) throws SQLException {
    synchronized (readLock) {
      try (PreparedStatement ps = reader.prepareStatement(
          "SELECT * FROM quarantine ORDER BY received_at DESC, log_offset DESC, log_partition DESC LIMIT ?")) {
        ps.setInt(1, Math.max(0, limit));
        return ApiRows.read(ps);
      }
    }
  }

  @Override
  public long countQuarantine(QuarantineFilter filter) throws SQLException {
    synchronized (readLock) {
      return QuarantineQueries.count(reader, filter);
    }
  }

  @Override
  public List<QuarantineRow> quarantinePage(QuarantineFilter filter, QuarantineRow after, int limit)
      throws SQLException {
    synchronized (readLock) {
      return QuarantineQueries.page(reader, filter, after, limit);
    }
  }


  @Override
  public Suppressions suppressions() {
    return suppressions;
  }

  private void loadSuppressions() throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM suppressions")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    suppressions.addAll(ids);
    if (!ids.isEmpty()) {
      log.info("Warehouse {}: {} suppressed ids loaded; their events are dropped", file, ids.size());
    }
  }

  @Override
  public DeletionResult deletePerson(String userId, String anonymousId, String actor)
      throws SQLException, InterruptedException {
    if ((userId == null) == (anonymousId == null)) {
      throw new IllegalArgumentException("give either a userId or an anonymousId");
    }
    if (closed) {
      throw new SQLException("warehouse is closed");
    }
    try (DuckDBConnection conn = root.duplicate()) {
      conn.setAutoCommit(false);
      return new PersonDeletion(conn, suppressions, identityLock).run(userId, anonymousId, actor);
    }
  }

  @Override
  public List<Map<String, Object>> privacyAudit(int limit) throws SQLException {
    synchronized (readLock) {
      try (PreparedStatement ps = reader.prepareStatement("SELECT * FROM privacy_audit ORDER BY id DESC LIMIT ?")) {
        ps.setInt(1, Math.max(0, limit));
        return ApiRows.read(ps);
      }
    }
  }

  @Override
  public List<SessionSnapshot> recentSessions(Duration window) throws SQLException {
    String sql = "WITH recent AS (SELECT DISTINCT session_id FROM events"
        + "   WHERE received_at >= (SELECT max(received_at) FROM events) - to_milliseconds(CAST(? AS BIGINT))"
        + "   AND session_id IS NOT NULL AND session_number > 0 AND visitor_id IS NOT NULL),"
        + " s AS (SELECT e.visitor_id, e.session_id, max(e.session_number) AS number,"
        + "   epoch_ms(min(least(e.timestamp, e.received_at))) AS start_ms,"
        + "   epoch_ms(max(least(e.timestamp, e.received_at))) AS last_ms,"
        + "   epoch_ms(max(e.received_at)) AS last_received_ms,"
        + "   max(e.utm_source) AS utm_source, max(e.utm_medium) AS utm_medium, max(e.utm_campaign) AS utm_campaign,"
        + "   max(CAST(e.click_ids AS VARCHAR)) AS click_ids"
        + "   FROM events e JOIN recent USING (session_id) GROUP BY e.visitor_id, e.session_id)"
        + " SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY visitor_id ORDER BY last_ms DESC) AS nth FROM s)"
        + " WHERE nth = 1";
    List<SessionSnapshot> sessions = new ArrayList<>();
    synchronized (readLock) {
      try (PreparedStatement ps = reader.prepareStatement(sql)) {
        ps.setLong(1, window.toMillis());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sessions.add(new SessionSnapshot(rs.getString("visitor_id"), rs.getString("session_id"),
                rs.getInt("number"), rs.getLong("start_ms"), rs.getLong("last_ms"), rs.getLong("last_received_ms"),
                rs.getString("utm_source"), rs.getString("utm_medium"), rs.getString("utm_campaign"),
                SessionSnapshot.clickIds(rs.getString("click_ids"))));
          }
        }
      }
    }
    return sessions;
  }


  @Override
  public void sessionCounts(Duration lookBack, int limit, BiConsumer<String, Integer> sink) throws SQLException {
    String sql = "SELECT visitor_id, n FROM (SELECT visitor_id, max(session_number) AS n, max(received_at) AS seen"
        + "   FROM events WHERE received_at >= (SELECT max(received_at) FROM events) - to_milliseconds(CAST(? AS BIGINT))"
        + "   AND session_number > 0 AND visitor_id IS NOT NULL GROUP BY visitor_id ORDER BY seen DESC LIMIT ?)"
        + " ORDER BY seen";
    synchronized (readLock) {
      try (PreparedStatement ps = reader.prepareStatement(sql)) {
        ps.setLong(1, lookBack.toMillis());
        ps.setInt(2, limit);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sink.accept(rs.getString(1), rs.getInt(2));
          }
        }
      }
    }
  }

  @Override
  public Map<Integer, Long> positions(String consumer) throws SQLException {
    synchronized (readLock) {
      try (PreparedStatement ps = reader.prepareStatement(
          "SELECT partition, next_offset FROM log_positions WHERE consumer = ?")) {
        ps.setString(1, consumer);
        Map<Integer, Long> positions = new HashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            positions.put(rs.getInt(1), rs.getLong(2));
          }
        }
        return positions;
      }
    }
  }

  @Override
  public long countEvents() throws SQLException {
    synchronized (readLock) {
      try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Override
  public String check() {
    if (closed) {
      return "warehouse is closed";
    }
    String failure = lastWriteFailure;
    if (failure != null) {
      return "last write to " + file + " failed: " + failure;
    }
    synchronized (readLock) {
      try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
        rs.next();
        return null;
      } catch (SQLException e) {
        return "warehouse " + file + " cannot be queried: " + e.getMessage();
      }
    }
  }

  @Override
  public java.sql.Connection newConnection() throws SQLException {
    return root.duplicate();
  }

  /** Package-private for tests: another connection to the same database. */
  DuckDBConnection duplicateConnection() throws SQLException {
    return root.duplicate();
  }

  /**
   * Closes every connection; writes still running fail and their callers keep the batch in the
   * log. Stop the writers first for a clean shutdown.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (WriteSession session; (session = idleSessions.pollFirst()) != null; ) {
      session.close();
    }
    synchronized (readLock) {
      closeQuietly(reader);
    }
    closeQuietly(root);
    log.info("Warehouse {} closed", file);
  }

  private static void closeQuietly(DuckDBConnection conn) {
    try {
      conn.close();
    } catch (SQLException e) {
      log.warn("Closing a DuckDB connection failed: {}", e.getMessage());
    }
  }


}
