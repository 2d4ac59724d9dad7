package io.trackside.warehouse;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared warehouse ({@code warehouse: postgresql}): one PostgreSQL database that many nodes
 * write to, with the same tables and the same write semantics as {@link DuckDbWarehouse} — see
 * {@link Warehouse} and the contract tests both pass.
 *
 * <p>What differs, and why:
 * <ul>
 *   <li>Events go in with COPY (text format, {@link PgCopyText}) into day partitions of
 *       received_at, each created on the first write to its day ({@link PgWriteSession#ensurePartition}).</li>
 *   <li>A text column cannot hold U+0000: an event with one in a text field is quarantined as
 *       {@value Warehouse#UNSTORABLE} (it stays there for a look and a replay); quarantine rows
 *       themselves get U+FFFD instead, as they already do for invalid UTF-8.</li>
 *   <li>A person may be deleted on another node: writes hold an advisory lock shared, deletions
 *       exclusively, and a write re-reads the suppressions when their count changed (see
 *       {@link PgPersonDeletion}). The in-process {@link Suppressions#writes} lock is not used.</li>
 *   <li>The dedupe window is this node's: it catches client retries within what this node wrote
 *       (and reloaded at start), not a retry written by another node meanwhile.</li>
 *   <li>A failed write is not retried here: the caller retries the batch, and beforeCommit runs
 *       again then, as it would after any failed write.</li>
 * </ul>
 */
public final class PostgresWarehouse implements Warehouse {

  private static final Logger log = LoggerFactory.getLogger(PostgresWarehouse.class);

  private final String url;
  private final String name;
  /** Guarded by readLock; replaced when the server dropped it (see {@link #reader()}). */
  private Connection reader;
  private final Object readLock = new Object();
  private final ConcurrentLinkedDeque<PgWriteSession> idleSessions = new ConcurrentLinkedDeque<>();
  private final DedupeWindow dedupe;
  private final Suppressions suppressions = new Suppressions();
  /** The suppressions table's row count when this node last read it; -1 before the first read. */
  private final AtomicLong suppressionsSeen = new AtomicLong(-1);
  /** Days of received_at whose events partition this node knows to exist. */
  private final Set<LocalDate> partitions = ConcurrentHashMap.newKeySet();
  private final Counter duplicates;
  private final Counter unstorable;
  private volatile String lastWriteFailure;
  private volatile boolean closed;
  volatile WriteSession.RowHook rowHookForTests;

  private PostgresWarehouse(String url, Connection reader, int recentIdsCapacity, MeterRegistry registry) {
    this.url = url;
    this.name = describe(url);
    this.reader = reader;
    this.dedupe = new DedupeWindow(recentIdsCapacity);
    this.duplicates = Counter.builder("trackside.warehouse.duplicates")
        .description("events not written because the same source and messageId were already stored")
        .register(registry);
    this.unstorable = Counter.builder("trackside.warehouse.quarantined")
        .description("records written to the quarantine table, by reason")
        .tag("reason", UNSTORABLE)
        .register(registry);
  }

  /**
   * Connects, creates the tables if needed (safe when several nodes start at once), and loads
   * the suppressions and the dedupe window of the newest ids.
   *
   * @param jdbcUrl           {@code jdbc:postgresql://host:port/database?user=...}
   * @param recentIdsCapacity how many (source, messageId) pairs the dedupe window remembers
   */
  public static PostgresWarehouse open(String jdbcUrl, MeterRegistry registry, int recentIdsCapacity) {
    Connection reader;
    try {
      reader = DriverManager.getConnection(jdbcUrl);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect to the PostgreSQL warehouse " + describe(jdbcUrl) + ": "
          + e.getMessage(), e);
    }
    try {
      PgSchema.create(reader);
      reader.setAutoCommit(true);
      PostgresWarehouse warehouse = new PostgresWarehouse(jdbcUrl, reader, recentIdsCapacity, registry);
      warehouse.loadRecentIds();
      warehouse.loadSuppressions();
      return warehouse;
    } catch (SQLException | RuntimeException e) {
      try {
        reader.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e instanceof RuntimeException r ? r
          : new IllegalStateException("cannot prepare the PostgreSQL warehouse " + describe(jdbcUrl) + ": "
          + e.getMessage(), e);
    }
  }

  /** Host and database only: the URL's parameters may hold a password. */
  private static String describe(String jdbcUrl) {
    int query = jdbcUrl.indexOf('?');
    return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
  }

  private void loadRecentIds() throws SQLException {
    long started = System.nanoTime();
    long[] hashes = new long[Math.min(dedupe.capacity(), 1 << 16)];
    int n = 0;
    // Not on the read connection's auto-commit: a cursor (fetch size) needs a transaction.
    try (Connection conn = DriverManager.getConnection(url)) {
      conn.setAutoCommit(false);
      try (PreparedStatement ps = conn.prepareStatement("SELECT source, message_id FROM events"
          + " WHERE message_id IS NOT NULL ORDER BY received_at DESC, log_offset DESC LIMIT ?")) {
        ps.setFetchSize(10_000);
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
      conn.commit();
    }
    long[] oldestFirst = new long[n];
    for (int i = 0; i < n; i++) {
      oldestFirst[i] = hashes[n - 1 - i];
    }
    dedupe.addStored(oldestFirst, n);
    log.info("Warehouse {}: dedupe window holds {} recent ids (capacity {}), loaded in {} ms",
        name, n, dedupe.capacity(), (System.nanoTime() - started) / 1_000_000);
  }

  /** How far back a writer taking partitions over looks for ids the previous owner stored. */
  static final java.time.Duration TAKEOVER_LOOK_BACK = java.time.Duration.ofDays(1);

  @Override
  public void writingPartitions(Set<Integer> partitions) throws SQLException {
    if (partitions.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    long[] hashes = new long[Math.min(dedupe.capacity(), 1 << 16)];
    int n = 0;
    try (Connection conn = DriverManager.getConnection(url)) {
      conn.setAutoCommit(false); // a cursor (fetch size) needs a transaction
      try (PreparedStatement ps = conn.prepareStatement("SELECT source, message_id FROM events"
          + " WHERE log_partition = ANY(?) AND message_id IS NOT NULL"
          + " AND received_at >= (now() AT TIME ZONE 'UTC') - make_interval(secs => ?)"
          + " ORDER BY received_at DESC LIMIT ?")) {
        ps.setFetchSize(10_000);
        ps.setArray(1, conn.createArrayOf("integer", partitions.toArray()));
        ps.setLong(2, TAKEOVER_LOOK_BACK.toSeconds());
        ps.setInt(3, dedupe.capacity());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (n == hashes.length) {
              hashes = Arrays.copyOf(hashes, Math.min(dedupe.capacity(), hashes.length * 2));
            }
            hashes[n++] = RecentIds.hash(rs.getString(1), rs.getString(2));
          }
        }
      }
      conn.rollback();
    }
    for (int i = 0, j = n - 1; i < j; i++, j--) { // oldest first, so the oldest are evicted first
      long h = hashes[i];
      hashes[i] = hashes[j];
      hashes[j] = h;
    }
    dedupe.addStored(hashes, n);
    log.info("Warehouse {}: {} ids of partitions {} added to the dedupe window in {} ms", name, n, partitions,
        (System.nanoTime() - started) / 1_000_000);
  }

  private void loadSuppressions() throws SQLException {
    PgWriteSession session = session();
    try {
      long count = session.suppressionCount();
      List<String> ids = session.suppressedIds();
      session.rollback();
      suppressions.addAll(ids);
      suppressionsSeen.set(count);
      release(session);
      if (!ids.isEmpty()) {
        log.info("Warehouse {}: {} suppressed ids loaded; their events are dropped", name, ids.size());
      }
    } catch (SQLException | RuntimeException e) {
      session.discard();
      throw e;
    }
  }

  /**
   * Reads the suppressions other nodes' deletions added since this node last looked. Writes do it
   * themselves; a node that delivers without writing calls it now and then, so that it stops
   * sending an erased person's events.
   */
  public void catchUpSuppressions() throws SQLException {
    PgWriteSession session = session();
    try {
      refreshSuppressions(session);
      session.rollback();
      release(session);
    } catch (SQLException | RuntimeException e) {
      session.discard();
      throw e;
    }
  }

  /**
   * Reads the suppressions again if another deletion (on any node) added some. Called with the
   * shared deletion lock held, so no deletion can commit between this and the batch's commit.
   */
  private void refreshSuppressions(PgWriteSession session) throws SQLException {
    long count = session.suppressionCount();
    if (count != suppressionsSeen.get()) {
      suppressions.addAll(session.suppressedIds());
      suppressionsSeen.set(count);
    }
  }

  @Override
  public WriteResult write(WarehouseBatch batch, BeforeCommit beforeCommit) throws SQLException {
    if (closed) {
      throw new SQLException("warehouse is closed");
    }
    PgWriteSession session = session();
    DedupeWindow.Reservation reservation = null;
    boolean committed = false;
    try {
      ensurePartitions(session, batch.events());
      session.begin();
      session.checkFence(batch.fence());
      refreshSuppressions(session);
      SuppressedFilter filtered = SuppressedFilter.apply(suppressions, batch.events(), batch.quarantined());
      reservation = dedupe.reserve(filtered.events());
      int unstorableCount = session.write(reservation.fresh(), filtered.quarantined(), batch.consumer(),
          batch.nextOffsets(), rowHookForTests, beforeCommit);
      committed = true;
      release(session);
      lastWriteFailure = null;
      duplicates.increment(reservation.duplicates().size());
      unstorable.increment(unstorableCount);
      return new WriteResult(reservation.fresh().size() - unstorableCount, reservation.duplicates().size(),
          filtered.quarantined().size() + unstorableCount, filtered.suppressedEvents(),
          filtered.suppressedQuarantine());
    } catch (SQLException | RuntimeException e) {
      session.discard();
      lastWriteFailure = e.getMessage();
      throw e;
    } finally {
      if (reservation != null) {
        dedupe.settle(reservation, committed);
      }
    }
  }

  private void ensurePartitions(PgWriteSession session, List<LoggedEvent> events) throws SQLException {
    Set<LocalDate> days = new TreeSet<>();
    for (LoggedEvent logged : events) {
      Instant receivedAt = logged.event().receivedAt();
      if (receivedAt != null) {
        LocalDate day = LocalDate.ofInstant(receivedAt, ZoneOffset.UTC);
        days.add(day);
        if (day.equals(LocalDate.now(ZoneOffset.UTC))) {
          // Tomorrow's too, so that midnight finds it made and no write waits for the DDL's lock.
          days.add(day.plusDays(1));
        }
      }
    }
    for (LocalDate day : days) {
      if (!partitions.contains(day)) {
        session.ensurePartition(day);
        partitions.add(day);
      }
    }
  }

  @Override
  public QuarantineResolution.Result resolveQuarantine(QuarantineResolution resolution) throws SQLException {
    if (closed) {
      throw new SQLException("warehouse is closed");
    }
    PgWriteSession session = session();
    DedupeWindow.Reservation reservation = null;
    boolean committed = false;
    try {
      ensurePartitions(session, resolution.passed().stream().map(QuarantineResolution.Passed::event).toList());
      session.begin();
      refreshSuppressions(session);
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
      reservation = dedupe.reserve(events);
      QuarantineResolution.Result result = session.resolve(reservation.fresh().stream().map(byEvent::get).toList(),
          reservation.duplicates().stream().map(e -> byEvent.get(e).quarantineId()).toList(),
          removed, resolution.stillFailing());
      committed = true;
      release(session);
      return result;
    } catch (SQLException | RuntimeException e) {
      session.discard();
      throw e;
    } finally {
      if (reservation != null) {
        dedupe.settle(reservation, committed);
      }
    }
  }

  private PgWriteSession session() throws SQLException {
    PgWriteSession session = idleSessions.pollFirst();
    return session != null ? session : new PgWriteSession(DriverManager.getConnection(url));
  }

  private void release(PgWriteSession session) {
    idleSessions.addFirst(session);
    if (closed && idleSessions.remove(session)) { // close() ran meanwhile
      session.close();
    }
  }

  @Override
  public List<Map<String, Object>> recentEvents(int limit, String type, String event) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ").append(PgWriteSession.EVENT_COLUMNS)
        .append(" FROM events WHERE true");
    List<Object> params = new ArrayList<>();
    if (type != null) {
      sql.append(" AND type = ?");
      params.add(type);
    }
    if (event != null) {
      sql.append(" AND event = ?");
      params.add(event);
    }
    sql.append(" ORDER BY received_at DESC, log_offset DESC, log_partition DESC LIMIT ?");
    params.add(Math.max(0, limit));
    return rows(sql.toString(), params);
  }

  @Override
  public List<Map<String, Object>> recentQuarantine(int limit) throws SQLException {
    return rows("SELECT " + PgWriteSession.QUARANTINE_COLUMNS + " FROM quarantine"
        + " ORDER BY received_at DESC, log_offset DESC, log_partition DESC LIMIT ?", List.of(Math.max(0, limit)));
  }

  @Override
  public long countQuarantine(QuarantineFilter filter) throws SQLException {
    synchronized (readLock) {
      return QuarantineQueries.count(reader(), filter);
    }
  }

  @Override
  public List<QuarantineRow> quarantinePage(QuarantineFilter filter, QuarantineRow after, int limit)
      throws SQLException {
    synchronized (readLock) {
      return QuarantineQueries.page(reader(), filter, after, limit);
    }
  }


  @Override
  public Suppressions suppressions() {
    return suppressions;
  }

  @Override
  public DeletionResult deletePerson(String userId, String anonymousId, String actor) throws SQLException {
    if ((userId == null) == (anonymousId == null)) {
      throw new IllegalArgumentException("give either a userId or an anonymousId");
    }
    if (closed) {
      throw new SQLException("warehouse is closed");
    }
    // The ids known now are suppressed on this node at once, before the deletion waits for the
    // writes in flight (as DuckDbWarehouse does); the deletion then finds the complete set.
    List<String> known = new ArrayList<>();
    if (userId != null) {
      known.add(userId);
      rows("SELECT DISTINCT anonymous_id FROM identities WHERE user_id = ?", List.of(userId))
          .forEach(row -> known.add((String) row.get("anonymous_id")));
    } else {
      known.add(anonymousId);
    }
    suppressions.addAll(known);
    DeletionResult result;
    try (Connection conn = DriverManager.getConnection(url)) {
      result = new PgPersonDeletion(conn).run(userId, anonymousId, actor);
    }
    // This node's pipeline stops passing them at once; the other nodes learn of them at their next write.
    List<String> ids = new ArrayList<>(result.userIds());
    ids.addAll(result.anonymousIds());
    suppressions.addAll(ids);
    return result;
  }

  @Override
  public List<Map<String, Object>> privacyAudit(int limit) throws SQLException {
    return rows("SELECT * FROM privacy_audit ORDER BY id DESC LIMIT ?", List.of(Math.max(0, limit)));
  }

  /** The DuckDB query of {@link DuckDbWarehouse#recentSessions} in PostgreSQL's words. */
  @Override
  public List<SessionSnapshot> recentSessions(Duration window) throws SQLException {
    String sql = "WITH recent AS (SELECT DISTINCT session_id FROM events"
        + "   WHERE received_at >= (SELECT max(received_at) FROM events) - ? * interval '1 millisecond'"
        + "   AND session_id IS NOT NULL AND session_number > 0 AND visitor_id IS NOT NULL),"
        + " s AS (SELECT e.visitor_id, e.session_id, max(e.session_number) AS number,"
        + "   " + epochMs("min(least(e.timestamp, e.received_at))") + " AS start_ms,"
        + "   " + epochMs("max(least(e.timestamp, e.received_at))") + " AS last_ms,"
        + "   " + epochMs("max(e.received_at)") + " AS last_received_ms,"
        + "   max(e.utm_source) AS utm_source, max(e.utm_medium) AS utm_medium, max(e.utm_campaign) AS utm_campaign,"
        + "   max(e.click_ids::text) AS click_ids"
        + "   FROM events e JOIN recent USING (session_id) GROUP BY e.visitor_id, e.session_id)"
        + " SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY visitor_id ORDER BY last_ms DESC) AS nth FROM s)"
        + " AS ranked WHERE nth = 1";
    List<SessionSnapshot> sessions = new ArrayList<>();
    synchronized (readLock) {
      try (PreparedStatement ps = reader().prepareStatement(sql)) {
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

  /** DuckDB's epoch_ms(timestamp): whole milliseconds since the epoch, the timestamp read as UTC. */
  private static String epochMs(String timestamp) {
    return "floor(extract(epoch FROM " + timestamp + ") * 1000)::bigint";
  }


  @Override
  public void sessionCounts(Duration lookBack, int limit, BiConsumer<String, Integer> sink) throws SQLException {
    String sql = "SELECT visitor_id, n FROM (SELECT visitor_id, max(session_number) AS n, max(received_at) AS seen"
        + "   FROM events WHERE received_at >= (SELECT max(received_at) FROM events) - ? * interval '1 millisecond'"
        + "   AND session_number > 0 AND visitor_id IS NOT NULL GROUP BY visitor_id ORDER BY seen DESC LIMIT ?)"
        + " AS latest ORDER BY seen";
    synchronized (readLock) {
      try (PreparedStatement ps = reader().prepareStatement(sql)) {
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
      try (PreparedStatement ps = reader().prepareStatement(
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
      try (Statement s = reader().createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM events")) {
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
      return "last write to " + name + " failed: " + failure;
    }
    synchronized (readLock) {
      try (Statement s = reader().createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
        rs.next();
        return null;
      } catch (SQLException e) {
        return "warehouse " + name + " cannot be queried: " + e.getMessage();
      }
    }
  }

  @Override
  public Connection newConnection() throws SQLException {
    return DriverManager.getConnection(url);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (PgWriteSession session; (session = idleSessions.pollFirst()) != null; ) {
      session.close();
    }
    synchronized (readLock) {
      try {
        reader.close();
      } catch (SQLException e) {
        log.warn("Closing a PostgreSQL connection failed: {}", e.getMessage());
      }
    }
    log.info("Warehouse {} closed", name);
  }

  /**
   * The read connection, connected again if the server dropped it (a restart, a failover, an
   * idle timeout): pgjdbc marks a connection closed after a fatal error, so one read fails and
   * the next one works. Write sessions need nothing of the kind: a failed one is discarded.
   */
  private Connection reader() throws SQLException {
    if (reader.isClosed() && !closed) {
      Connection fresh = DriverManager.getConnection(url);
      fresh.setAutoCommit(true);
      reader = fresh;
    }
    return reader;
  }

  private List<Map<String, Object>> rows(String sql, List<Object> params) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    synchronized (readLock) {
      try (PreparedStatement ps = reader().prepareStatement(sql)) {
        ApiRows.bind(ps, params);
        rows.addAll(ApiRows.read(ps));
      }
    }
    return rows;
  }

}
