package io.trackside.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.warehouse.PgTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several nodes leasing the 12 partitions of one group on one real PostgreSQL database. Every
 * node records what its listener was told in one shared map, and complains when it is told it
 * owns a partition another node has not been told to give up: so "one owner at a time" is
 * checked at every handover, not only at the end.
 */
class PartitionLeasesTest {

  private static final int PARTITIONS = 12;
  private static final String GROUP = "warehouse";
  private static final Set<Integer> ALL = IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toSet());
  /** The heartbeat expiry of most tests: far longer than any await, so that nothing here waits for it. */
  private static final Duration NEVER = Duration.ofMinutes(5);

  private PgTestDatabase db;
  private Connection admin;
  private final Map<Integer, String> holders = new ConcurrentHashMap<>();
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private final List<Member> members = new ArrayList<>();

  /** One node: its leases and what its listener was told. */
  private final class Member implements PartitionLeases.Listener {
    final String id;
    final Set<Integer> mine = ConcurrentHashMap.newKeySet();
    final List<Set<Integer>> revocations = Collections.synchronizedList(new ArrayList<>());
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    volatile boolean checkOverlap = true;
    PartitionLeases leases;
    volatile Fence fence;

    Member(String id) {
      this.id = id;
    }

    @Override
    public void assigned(Set<Integer> partitions, Fence all) {
      for (int p : partitions) {
        String previous = holders.putIfAbsent(p, id);
        if (previous != null && checkOverlap) {
          violations.add(id + " was given partition " + p + " while " + previous + " still had it");
        }
        holders.put(p, id);
      }
      mine.addAll(partitions);
      if (!all.partitions().equals(mine)) {
        violations.add(id + " got a fence for " + all.partitions() + " but owns " + mine);
      }
      fence = all;
    }

    @Override
    public void revoked(Set<Integer> partitions) {
      revocations.add(Set.copyOf(partitions));
      for (int p : partitions) {
        if (!mine.contains(p)) {
          violations.add(id + " lost partition " + p + " it did not have");
        }
        holders.remove(p, id);
      }
      mine.removeAll(partitions);
      fence = fence.only(mine);
    }

    /** As if the process died: no revocation reaches the listener, so the test clears what it held. */
    void forget() {
      mine.forEach(p -> holders.remove(p, id));
      mine.clear();
    }

    double takeovers() {
      return registry.counter("trackside.cluster.partition.takeovers", "group", GROUP).count();
    }
  }

  @BeforeEach
  void setUp() throws SQLException {
    db = PgTestDatabase.create();
    admin = db.connect();
  }

  @AfterEach
  void tearDown() throws SQLException {
    for (Member m : members) {
      m.leases.close();
    }
    admin.close();
    db.close();
  }

  private Member start(String id, Duration expiry) throws SQLException {
    Member m = new Member(id);
    m.leases = new PartitionLeases(GROUP, id, PARTITIONS, db::connect, m, m.registry,
        new PartitionLeases.Config(Duration.ofMillis(200), expiry, Duration.ofMillis(500), Duration.ofSeconds(1)));
    m.leases.start();
    members.add(m);
    return m;
  }

  private Member start(String id) throws SQLException {
    return start(id, NEVER);
  }

  /** Waits until the members own these many partitions each, and no other member owns any. */
  private void awaitShares(Map<Member, Integer> expected) throws Exception {
    Await.until(() -> {
      for (Member m : members) {
        if (m.mine.size() != expected.getOrDefault(m, 0)) {
          return false;
        }
      }
      return true;
    });
  }

  /** What the database says: partition_owners and the granted partition locks agree with each listener's view. */
  private void assertDatabaseAgrees(Member... owners) throws SQLException {
    Map<Integer, String> ownerRows = new HashMap<>();
    try (PreparedStatement s = admin.prepareStatement("SELECT partition, owner FROM partition_owners WHERE grp = ?")) {
      s.setString(1, GROUP);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          ownerRows.put(rs.getInt(1), rs.getString(2));
        }
      }
    }
    Map<Integer, Integer> lockPids = new HashMap<>();
    try (PreparedStatement s = admin.prepareStatement("SELECT objid::int8, pid FROM pg_locks WHERE locktype ="
        + " 'advisory' AND granted AND objsubid = 2 AND classid = (?::int4)::oid AND objid < 2147483648"
        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
      s.setInt(1, PartitionLeases.groupKey(GROUP));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          Integer before = lockPids.put((int) rs.getLong(1), rs.getInt(2));
          assertThat(before).as("two holders of the lock of partition %d", rs.getLong(1)).isNull();
        }
      }
    }
    Set<Integer> covered = new HashSet<>();
    for (Member m : owners) {
      for (int p : m.mine) {
        assertThat(ownerRows.get(p)).as("owner row of partition %d", p).isEqualTo(m.id);
        assertThat(lockPids.get(p)).as("pid holding partition %d", p).isEqualTo(m.leases.backendPid());
        assertThat(covered.add(p)).as("partition %d owned twice", p).isTrue();
      }
      assertThat(m.leases.owned()).isEqualTo(m.mine);
    }
    assertThat(covered).isEqualTo(ALL);
    assertThat(lockPids.keySet()).isEqualTo(ALL);
  }

  private void terminate(int pid) throws SQLException {
    try (PreparedStatement s = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
      s.setInt(1, pid);
      s.execute();
    }
  }

  @Test
  void twoNodesShareTwelvePartitionsAndTheOtherTakesAllWhenOneLeaves() throws Exception {
    Member a = start("node-a");
    Member b = start("node-b");
    awaitShares(Map.of(a, 6, b, 6));
    assertThat(a.mine).containsExactlyInAnyOrder(0, 2, 4, 6, 8, 10);
    assertDatabaseAgrees(a, b);

    b.leases.close();
    members.remove(b);
    awaitShares(Map.of(a, 12));
    assertDatabaseAgrees(a);
    assertThat(b.mine).isEmpty();
    assertThat(b.revocations).isNotEmpty();
    assertThat(violations).isEmpty();
    assertThat(a.takeovers()).isEqualTo(6);
  }

  @Test
  void aJoiningNodeGetsItsShareOnlyAfterTheOthersGaveItUp() throws Exception {
    Member a = start("node-a");
    Member b = start("node-b");
    awaitShares(Map.of(a, 6, b, 6));

    Member c = start("node-c");
    awaitShares(Map.of(a, 4, b, 4, c, 4));
    assertThat(c.mine).containsExactlyInAnyOrder(2, 5, 8, 11);
    assertDatabaseAgrees(a, b, c);
    // Every handover went revoke, unlock, lock, assign: the shared map never saw two holders.
    assertThat(violations).isEmpty();
    assertThat(c.takeovers()).isEqualTo(4);
    assertThat(c.registry.get("trackside.cluster.partitions.owned").gauge().value()).isEqualTo(4);
  }

  @Test
  void aKilledNodesPartitionsMoveLongBeforeItsHeartbeatExpires() throws Exception {
    Member a = start("node-a");
    Member b = start("node-b");
    Member c = start("node-c");
    awaitShares(Map.of(a, 4, b, 4, c, 4));

    // kill -9: the threads stop without a word, then the connection goes and with it the locks.
    int pid = b.leases.backendPid();
    b.leases.halt();
    members.remove(b);
    b.forget();
    terminate(pid);

    // The heartbeat of b stays fresh for minutes: the others notice the lost member lock instead.
    Await.until(() -> a.mine.size() == 6 && c.mine.size() == 6);
    assertDatabaseAgrees(a, c);
    assertThat(violations).isEmpty();
  }

  @Test
  void aFrozenNodeIsCutOffOnceItsHeartbeatExpires() throws Exception {
    Member a = start("node-a", Duration.ofSeconds(2));
    Member b = start("node-b", Duration.ofSeconds(2));
    awaitShares(Map.of(a, 6, b, 6));

    // Frozen (or on a half-open connection): the locks stay held, the heartbeat stops.
    int pid = b.leases.backendPid();
    b.leases.halt();
    members.remove(b);
    b.forget();

    Await.until(() -> a.mine.size() == 12);
    assertDatabaseAgrees(a);
    try (PreparedStatement s = admin.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
      s.setInt(1, pid);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).as("the frozen node's lease connection was terminated").isZero();
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void aZombieCannotCommitAfterTheTakeoverAndAnOpenFencedWriteHoldsTheTakeoverBack() throws Exception {
    Member a = start("node-a");
    awaitShares(Map.of(a, 12));
    Fence zombie = a.fence;

    // a is writing: its write transaction has passed the fence and not yet committed.
    Connection write = db.connect();
    write.setAutoCommit(false);
    zombie.check(write);

    int pid = a.leases.backendPid();
    a.leases.halt();
    members.remove(a);
    a.forget();
    terminate(pid);
    Member b = start("node-b");

    // b holds the free locks but cannot become owner while a's write is open (about 10 rounds).
    Thread.sleep(2000);
    assertThat(b.mine).isEmpty();
    assertThat(ownersInDb()).containsOnlyKeys(ALL).allSatisfy((p, owner) -> assertThat(owner).isEqualTo("node-a"));

    write.commit();
    awaitShares(Map.of(b, 12));
    assertDatabaseAgrees(b);

    // a's next write fails, whether its transaction began before the takeover or after it.
    assertThatThrownBy(() -> zombie.check(write)).isInstanceOf(LeaseLostException.class);
    write.rollback();
    Connection late = db.connect();
    late.setAutoCommit(false);
    assertThatThrownBy(() -> zombie.check(late))
        .isInstanceOf(LeaseLostException.class)
        .hasMessageContaining("node-a no longer owns partitions")
        .hasMessageContaining("node-b at epoch 2");
    late.rollback();
    // ...while b's fence holds.
    b.fence.check(late);
    b.leases.fence(late, List.of(3, 7));
    late.rollback();
    late.close();
    write.close();
    assertThat(violations).isEmpty();
  }

  @Test
  void aBrokenLeaseConnectionRevokesEverythingAndTheNodeComesBackAtNewEpochs() throws Exception {
    Member a = start("node-a");
    Member b = start("node-b");
    awaitShares(Map.of(a, 6, b, 6));
    Fence before = a.fence;
    // The others may take a's partitions before a notices the break: then only the fence keeps a out.
    a.checkOverlap = false;
    b.checkOverlap = false;

    terminate(a.leases.backendPid());

    Await.until(() -> a.revocations.contains(before.partitions()));
    Await.until(() -> a.leases.check() == null && a.mine.size() == 6 && b.mine.size() == 6);
    assertDatabaseAgrees(a, b);
    Connection tx = db.connect();
    tx.setAutoCommit(false);
    assertThatThrownBy(() -> before.check(tx)).isInstanceOf(LeaseLostException.class);
    tx.rollback();
    a.fence.check(tx);
    tx.close();
  }

  @Test
  void aFenceOutsideATransactionIsRefused() throws Exception {
    Member a = start("node-a");
    awaitShares(Map.of(a, 12));
    try (Connection conn = db.connect()) {
      assertThatThrownBy(() -> a.fence.check(conn)).isInstanceOf(IllegalStateException.class);
    }
  }

  private Map<Integer, String> ownersInDb() throws SQLException {
    Map<Integer, String> rows = new HashMap<>();
    try (PreparedStatement s = admin.prepareStatement("SELECT partition, owner FROM partition_owners WHERE grp = ?")) {
      s.setString(1, GROUP);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.put(rs.getInt(1), rs.getString(2));
        }
      }
    }
    return rows;
  }

  static final class Await {
    interface Condition {
      boolean holds() throws Exception;
    }

    /** Generous: the machine is shared, and a round of leasing takes a heartbeat. */
    static void until(Condition condition) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!condition.holds()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("condition not met within 30 s");
        }
        Thread.sleep(20);
      }
    }
  }
}
