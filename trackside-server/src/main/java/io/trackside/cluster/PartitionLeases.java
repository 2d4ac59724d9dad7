package io.trackside.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares the log partitions of one consumer group among the live nodes of a cluster, through the
 * shared PostgreSQL database: each partition is processed by one node at a time, and moves to the
 * others when its node dies or a node joins.
 *
 * <ul>
 *   <li><b>Membership.</b> The node's own lease connection holds a session advisory lock (its
 *       member key) and a row in {@code cluster_nodes} with a heartbeat. A member is live while
 *       its heartbeat is younger than {@code expiry} <em>and</em> its member lock is held: a node
 *       killed with -9 loses its connection, PostgreSQL drops its locks at once, and the others
 *       stop counting it on their next tick, without waiting for the heartbeat to expire.</li>
 *   <li><b>Share.</b> Sorted live members; partition p belongs to member p mod members
 *       ({@link FairShare}). Every node takes only its own share, so there is no second rule that
 *       could fight the first.</li>
 *   <li><b>Ownership.</b> A session advisory lock per partition on the lease connection. A node
 *       gives a partition up by calling {@link Listener#revoked} first (its work stops) and only
 *       then unlocking it, so the next owner never overlaps with it.</li>
 *   <li><b>Fencing.</b> Every acquisition bumps the partition's epoch in {@code partition_owners};
 *       writers check theirs in their own transaction ({@link Fence}), so a zombie (a node whose
 *       lease connection broke but whose writers still run) cannot commit after the takeover.</li>
 *   <li><b>Hung nodes.</b> A member whose heartbeat expired while its connection still holds its
 *       locks (a frozen process, a half-open TCP connection PostgreSQL has not noticed) would keep
 *       its partitions forever; another node terminates that backend, which frees them. Fencing
 *       makes this safe should the node wake up.</li>
 * </ul>
 *
 * <p>The listener is called from the lease thread only, never concurrently.
 */
public final class PartitionLeases implements AutoCloseable {

  /** Told which partitions this node starts and stops owning. */
  public interface Listener {
    /**
     * Start work on these partitions, from the positions the warehouse holds (read them now, not
     * earlier: the previous owner's last write is committed by now).
     *
     * @param fence every partition this node owns now (these and the earlier ones), at its epoch
     */
    void assigned(Set<Integer> partitions, Fence fence);

    /**
     * Stop work on these partitions and return once it has stopped (finish or drop the batch in
     * hand). Called before the partitions are unlocked; after a broken lease connection they may
     * already belong to another node, and the fence refuses what is still written.
     */
    void revoked(Set<Integer> partitions);
  }

  /**
   * Opens the lease connection: a fresh, dedicated one each time (never from a pool, never
   * through a transaction-pooling proxy: the session's advisory locks are the leases). Same
   * database role as the other nodes, so a hung node's connection can be terminated.
   */
  public interface Connector {
    Connection connect() throws SQLException;
  }

  /**
   * @param heartbeat   how often the node writes its heartbeat and looks at the membership
   * @param expiry      a member whose heartbeat is older than this is dead (and its connection
   *                    is terminated if it still holds locks)
   * @param lockTimeout how long taking a partition waits for writes still fenced at the old
   *                    epoch; it gives up and retries on the next tick after that
   * @param maxBackoff  the longest pause between attempts to reconnect the lease connection
   */
  public record Config(Duration heartbeat, Duration expiry, Duration lockTimeout, Duration maxBackoff) {
    public Config {
      if (heartbeat.isNegative() || heartbeat.isZero() || expiry.compareTo(heartbeat.multipliedBy(3)) < 0) {
        throw new IllegalArgumentException("heartbeat must be positive and expiry at least three heartbeats");
      }
      if (lockTimeout.compareTo(expiry.dividedBy(2)) > 0) {
        // The heartbeat waits while the lease connection waits for a lock.
        throw new IllegalArgumentException("lockTimeout must be at most half the expiry");
      }
    }

    public static Config defaults() {
      return new Config(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(30));
    }
  }

  /** One lease connection and the member key it holds. */
  private record Session(Connection conn, int memberKey, int backendPid) {
  }

  private static final Logger log = LoggerFactory.getLogger(PartitionLeases.class);
  private static final SecureRandom random = new SecureRandom();
  private static final String LOCK_NOT_AVAILABLE = "55P03";
  private static final long HELD_ELSEWHERE = -1;
  private static final long STILL_FENCED = -2;
  private static final String PG_LOCK = "l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
      + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
      + " AND l.classid = (?::int4)::oid AND l.objid = n.member_key::oid";

  private final String group;
  private final String nodeId;
  private final int partitions;
  private final int groupKey;
  private final Connector connector;
  private final Listener listener;
  private final Config config;
  private final MeterRegistry registry;
  private final Counter takeovers;
  private final Gauge ownedGauge;
  /** Owned partitions and the epoch each was acquired at; read by other threads for fences. */
  private final Map<Integer, Long> owned = new ConcurrentHashMap<>();
  /** The lease connection is used by the lease and the heartbeat thread, one statement at a time. */
  private final ReentrantLock sql = new ReentrantLock();
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private volatile Session session;
  private volatile boolean running;
  private volatile boolean halted;
  private volatile String problem;
  private Thread leaseThread;
  private Thread heartbeatThread;

  public PartitionLeases(String group, String nodeId, int partitions, Connector connector, Listener listener,
                         MeterRegistry registry, Config config) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1");
    }
    this.group = group;
    this.nodeId = nodeId;
    this.partitions = partitions;
    this.groupKey = groupKey(group);
    this.connector = connector;
    this.listener = listener;
    this.config = config;
    this.registry = registry;
    this.takeovers = Counter.builder("trackside.cluster.partition.takeovers")
        .description("partitions this node took from another owner (one that died, left or handed them over)")
        .tag("group", group).register(registry);
    this.ownedGauge = Gauge.builder("trackside.cluster.partitions.owned", owned, Map::size)
        .description("log partitions of the group this node owns").tag("group", group).register(registry);
  }

  /** A node id unique to this run of the process: host:port and a random part. */
  public static String nodeId(String host, int port) {
    return host + ":" + port + ":" + Long.toHexString(random.nextLong() & 0xffffffffL);
  }

  /** The first key of the group's advisory locks: stable across nodes and releases. */
  static int groupKey(String group) {
    CRC32 crc = new CRC32();
    crc.update(("trackside.partition-lease:" + group).getBytes(StandardCharsets.UTF_8));
    return (int) crc.getValue();
  }

  /**
   * Creates the tables if needed, opens the lease connection (failing fast when PostgreSQL cannot
   * be reached) and starts leasing; the listener hears of the first partitions within a heartbeat.
   */
  public synchronized void start() throws SQLException {
    if (leaseThread != null) {
      throw new IllegalStateException("already started");
    }
    session = connect();
    running = true;
    leaseThread = new Thread(this::leaseLoop, "trackside-lease-" + group);
    heartbeatThread = new Thread(this::heartbeatLoop, "trackside-lease-heartbeat-" + group);
    leaseThread.setDaemon(true);
    heartbeatThread.setDaemon(true);
    leaseThread.start();
    heartbeatThread.start();
    log.info("Node {} leases partitions of group '{}' ({} partitions)", nodeId, group, partitions);
  }

  /** The partitions this node owns now. */
  public Set<Integer> owned() {
    return Set.copyOf(owned.keySet());
  }

  /**
   * The fence of these partitions at the epochs this node owns them now: give it to the writer
   * started for them, which checks it in each write transaction. A partition not owned now gets
   * a fence that always fails.
   */
  public Fence fenceFor(Collection<Integer> ps) {
    Map<Integer, Long> epochs = new HashMap<>();
    for (int p : ps) {
      epochs.put(p, owned.getOrDefault(p, -1L));
    }
    return new Fence(group, nodeId, epochs);
  }

  /** Checks in the caller's transaction that this node still owns the partitions at their current epochs. */
  public void fence(Connection tx, Collection<Integer> ps) throws SQLException {
    fenceFor(ps).check(tx);
  }

  /** Null while leasing works, otherwise what is wrong, for /readyz. */
  public String check() {
    return problem;
  }

  public String nodeId() {
    return nodeId;
  }

  /** Revokes every owned partition (through the listener), unlocks them and leaves the membership. */
  @Override
  public void close() {
    Thread lease;
    Thread heartbeat;
    synchronized (this) {
      running = false;
      stopSignal.countDown();
      lease = leaseThread;
      heartbeat = heartbeatThread;
    }
    join(heartbeat);
    join(lease);
    registry.remove(ownedGauge);
  }

  /**
   * As if the process were frozen or killed: the threads stop, nothing is revoked, unlocked or
   * closed. Tests pair it with terminating {@link #backendPid()} to play a kill -9.
   */
  void halt() {
    halted = true;
    close();
  }

  /** The lease connection's backend process, or -1 without one. */
  int backendPid() {
    Session s = session;
    return s == null ? -1 : s.backendPid();
  }

  int groupKey() {
    return groupKey;
  }

  private static void join(Thread thread) {
    if (thread == null) {
      return;
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void leaseLoop() {
    long backoffMillis = config.heartbeat().toMillis();
    try {
      while (running) {
        Session s = session;
        if (s == null) {
          try {
            session = connect();
            log.info("Lease connection of group '{}' is back; node {} takes its share again", group, nodeId);
            problem = null;
            backoffMillis = config.heartbeat().toMillis();
            continue;
          } catch (SQLException e) {
            problem = "cluster leases of group '" + group + "': cannot reach PostgreSQL: " + e.getMessage();
            log.error("Cannot open the lease connection of group '{}': {}; retrying in {} ms", group, e.getMessage(),
                backoffMillis);
            if (stopSignal.await(backoffMillis, TimeUnit.MILLISECONDS)) {
              break;
            }
            backoffMillis = Math.min(backoffMillis * 2, config.maxBackoff().toMillis());
            continue;
          }
        }
        try {
          tick(s);
        } catch (SQLException | RuntimeException e) {
          if (isValid(s)) {
            log.warn("Leasing partitions of group '{}' failed this round: {}", group, e.toString());
          } else {
            lost(s, e);
            continue;
          }
        }
        if (stopSignal.await(config.heartbeat().toMillis(), TimeUnit.MILLISECONDS)) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!halted) {
      leave();
    }
  }

  private void heartbeatLoop() {
    try {
      while (!stopSignal.await(config.heartbeat().toMillis(), TimeUnit.MILLISECONDS)) {
        Session s = session;
        if (s == null) {
          continue;
        }
        try {
          heartbeat(s);
        } catch (SQLException e) {
          log.debug("Heartbeat of group '{}' failed: {}", group, e.toString()); // the lease thread handles it
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Session connect() throws SQLException {
    Connection conn = connector.connect();
    try {
      conn.setAutoCommit(true);
      LeaseTables.create(conn);
      int pid;
      try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      int memberKey;
      do {
        // Negative, so it never names a partition's lock.
        memberKey = -1 - random.nextInt(Integer.MAX_VALUE);
      } while (!tryLock(conn, memberKey));
      Session s = new Session(conn, memberKey, pid);
      heartbeat(s);
      return s;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(conn);
      throw e;
    }
  }

  private void heartbeat(Session s) throws SQLException {
    sql.lock();
    try (PreparedStatement st = s.conn().prepareStatement("INSERT INTO cluster_nodes (grp, node_id, member_key,"
        + " heartbeat_at) VALUES (?, ?, ?, now()) ON CONFLICT (grp, node_id) DO UPDATE SET member_key ="
        + " excluded.member_key, heartbeat_at = excluded.heartbeat_at")) {
      st.setString(1, group);
      st.setString(2, nodeId);
      st.setInt(3, s.memberKey());
      st.executeUpdate();
    } finally {
      sql.unlock();
    }
  }

  /** One round: look at the members, give up what is no longer ours, take what is ours and free. */
  private void tick(Session s) throws SQLException {
    Set<String> members;
    sql.lock();
    try {
      cutOffHungMembers(s.conn());
      members = liveMembers(s.conn());
    } finally {
      sql.unlock();
    }
    Set<Integer> share = FairShare.of(nodeId, members, partitions);
    Set<Integer> release = new TreeSet<>(owned.keySet());
    release.removeAll(share);
    if (!release.isEmpty()) {
      log.info("Node {} hands partitions {} of group '{}' over ({} live members)", nodeId, release, group,
          members.size());
      revoke(release);
      sql.lock();
      try {
        for (int p : release) {
          unlock(s.conn(), p);
        }
      } finally {
        sql.unlock();
      }
    }
    Set<Integer> acquired = new TreeSet<>();
    try {
      for (int p : share) {
        if (owned.containsKey(p)) {
          continue;
        }
        long epoch = acquire(s.conn(), p);
        if (epoch == STILL_FENCED) {
          break; // the heartbeat waited meanwhile; do not make it wait for every partition in turn
        }
        if (epoch != HELD_ELSEWHERE) {
          owned.put(p, epoch);
          acquired.add(p);
        }
      }
    } finally {
      // Even when this round failed half-way, what was taken is owned and its work must start.
      if (!acquired.isEmpty()) {
        log.info("Node {} owns partitions {} of group '{}' now (all: {})", nodeId, acquired, group,
            new TreeSet<>(owned.keySet()));
        try {
          listener.assigned(Set.copyOf(acquired), fenceFor(owned.keySet()));
        } catch (RuntimeException e) {
          log.error("The lease listener failed on assignment of {}", acquired, e);
        }
      }
    }
  }

  /**
   * The epoch at which this node now owns the partition, {@link #HELD_ELSEWHERE} if another node
   * holds its lock, {@link #STILL_FENCED} if a write at the old epoch did not end in time.
   */
  private long acquire(Connection conn, int p) throws SQLException {
    sql.lock();
    try {
      if (!tryLock(conn, p)) {
        return HELD_ELSEWHERE;
      }
      try {
        return claim(conn, p);
      } catch (SQLException e) {
        unlock(conn, p);
        if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
          // A zombie's write at the old epoch is still open; take it on a later tick.
          log.info("Partition {} of group '{}' is still being written at its old epoch; trying again later", p, group);
          return STILL_FENCED;
        }
        throw e;
      }
    } finally {
      sql.unlock();
    }
  }

  /**
   * Makes this node the owner at a new epoch. The UPDATE waits for every transaction that checked
   * the old epoch FOR SHARE, so those commit before this and none can commit after it.
   */
  private long claim(Connection conn, int p) throws SQLException {
    conn.setAutoCommit(false);
    try (Statement st = conn.createStatement()) {
      st.execute("SET LOCAL lock_timeout = " + config.lockTimeout().toMillis());
      String previous = null;
      try (PreparedStatement q = conn.prepareStatement(
          "SELECT owner FROM partition_owners WHERE grp = ? AND partition = ? FOR UPDATE")) {
        q.setString(1, group);
        q.setInt(2, p);
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next()) {
            previous = rs.getString(1);
          }
        }
      }
      long epoch;
      try (PreparedStatement u = conn.prepareStatement("INSERT INTO partition_owners (grp, partition, owner, epoch,"
          + " acquired_at) VALUES (?, ?, ?, 1, now()) ON CONFLICT (grp, partition) DO UPDATE SET owner ="
          + " excluded.owner, epoch = partition_owners.epoch + 1, acquired_at = excluded.acquired_at RETURNING epoch")) {
        u.setString(1, group);
        u.setInt(2, p);
        u.setString(3, nodeId);
        try (ResultSet rs = u.executeQuery()) {
          rs.next();
          epoch = rs.getLong(1);
        }
      }
      conn.commit();
      if (previous != null && !previous.equals(nodeId)) {
        takeovers.increment();
      }
      return epoch;
    } catch (SQLException | RuntimeException e) {
      try {
        conn.rollback();
      } catch (SQLException ignored) {
        // the connection is broken; the caller finds out
      }
      throw e;
    } finally {
      try {
        conn.setAutoCommit(true);
      } catch (SQLException ignored) {
        // as above
      }
    }
  }

  private Set<String> liveMembers(Connection conn) throws SQLException {
    Set<String> members = new TreeSet<>();
    try (PreparedStatement st = conn.prepareStatement("SELECT n.node_id FROM cluster_nodes n WHERE n.grp = ?"
        + " AND n.heartbeat_at > now() - make_interval(secs => ?)"
        + " AND EXISTS (SELECT 1 FROM pg_locks l WHERE " + PG_LOCK + ")")) {
      st.setString(1, group);
      st.setDouble(2, config.expiry().toMillis() / 1000.0);
      st.setInt(3, groupKey);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          members.add(rs.getString(1));
        }
      }
    }
    return members;
  }

  /**
   * Terminates the lease connection of each member whose heartbeat expired while it still holds its
   * locks (allowed for connections of the same database role), and forgets long-dead members.
   */
  private void cutOffHungMembers(Connection conn) throws SQLException {
    List<String> hung = new ArrayList<>();
    try (PreparedStatement st = conn.prepareStatement("SELECT n.node_id, l.pid,"
        + " extract(epoch FROM now() - n.heartbeat_at) FROM cluster_nodes n JOIN pg_locks l ON " + PG_LOCK
        + " WHERE n.grp = ? AND n.node_id <> ? AND n.heartbeat_at <= now() - make_interval(secs => ?)")) {
      st.setInt(1, groupKey);
      st.setString(2, group);
      st.setString(3, nodeId);
      st.setDouble(4, config.expiry().toMillis() / 1000.0);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          hung.add(rs.getString(1));
          log.warn("Node {} has not renewed its heartbeat of group '{}' for {} s but its lease connection (pid {})"
                  + " still holds its partitions; terminating that connection so the others can take them",
              rs.getString(1), group, Math.round(rs.getDouble(3)), rs.getInt(2));
          try (PreparedStatement t = conn.prepareStatement("SELECT pg_terminate_backend(?)")) {
            t.setInt(1, rs.getInt(2));
            t.execute();
          } catch (SQLException e) {
            // Not allowed (another database role): its partitions wait until PostgreSQL drops it.
            log.error("Cannot terminate the lease connection of node {}: {}", rs.getString(1), e.getMessage());
          }
        }
      }
    }
    // The rows of nodes long gone (a crashed node never deletes its own); only for tidiness.
    try (PreparedStatement st = conn.prepareStatement("DELETE FROM cluster_nodes WHERE grp = ?"
        + " AND heartbeat_at < now() - make_interval(secs => ?)")) {
      st.setString(1, group);
      st.setDouble(2, 100 * config.expiry().toMillis() / 1000.0);
      st.executeUpdate();
    }
  }

  /** The lease connection broke: whatever this node owned may be another's already. */
  private void lost(Session s, Exception cause) {
    problem = "cluster leases of group '" + group + "': the lease connection broke: " + cause.getMessage();
    log.error("The lease connection of group '{}' broke ({}); node {} stops work on every partition it owned"
        + " ({}) and reconnects", group, cause.toString(), nodeId, new TreeSet<>(owned.keySet()));
    session = null;
    revoke(new TreeSet<>(owned.keySet()));
    closeQuietly(s.conn());
  }

  /** Clean shutdown: revoke, unlock everything, leave the membership so the others rebalance now. */
  private void leave() {
    revoke(new TreeSet<>(owned.keySet()));
    Session s = session;
    session = null;
    if (s == null) {
      return;
    }
    sql.lock();
    try (Statement st = s.conn().createStatement();
         PreparedStatement del = s.conn().prepareStatement("DELETE FROM cluster_nodes WHERE grp = ? AND node_id = ?")) {
      st.execute("SELECT pg_advisory_unlock_all()");
      del.setString(1, group);
      del.setString(2, nodeId);
      del.executeUpdate();
      log.info("Node {} left group '{}'", nodeId, group);
    } catch (SQLException e) {
      log.warn("Leaving group '{}' failed: {}; closing the connection releases the locks anyway", group, e.toString());
    } finally {
      sql.unlock();
      closeQuietly(s.conn());
    }
  }

  private void revoke(Set<Integer> ps) {
    if (ps.isEmpty()) {
      return;
    }
    try {
      listener.revoked(Set.copyOf(ps));
    } catch (RuntimeException e) {
      log.error("The lease listener failed on revocation of {}; releasing them all the same (fenced)", ps, e);
    }
    owned.keySet().removeAll(ps);
  }

  private boolean tryLock(Connection conn, int key2) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
      st.setInt(1, groupKey);
      st.setInt(2, key2);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private void unlock(Connection conn, int key2) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
      st.setInt(1, groupKey);
      st.setInt(2, key2);
      st.execute();
    }
  }

  private boolean isValid(Session s) {
    try {
      return s.conn().isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void closeQuietly(Connection conn) {
    try {
      conn.close();
    } catch (SQLException ignored) {
      // already broken
    }
  }
}
