package io.trackside.pipeline;

import static io.trackside.pipeline.PipelineEvents.CHROME_WINDOWS;
import static io.trackside.pipeline.PipelineEvents.FIREFOX_LINUX;
import static io.trackside.pipeline.PipelineEvents.cookielessPage;
import static io.trackside.pipeline.PipelineEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackside.core.EnrichedEvent;
import io.trackside.warehouse.PgTestDatabase;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The salts every node of a cluster shares in PostgreSQL: each instance here is one node. */
class DailySaltsSharedTest {

  private static final String IP = "198.51.100.23";
  private static final Instant MONDAY_10H = Instant.parse("2025-03-10T10:00:00Z");
  private static final LocalDate SUNDAY = LocalDate.of(2025, 3, 9);
  private static final LocalDate MONDAY = LocalDate.of(2025, 3, 10);
  private static final LocalDate TUESDAY = LocalDate.of(2025, 3, 11);
  private static final LocalDate WEDNESDAY = LocalDate.of(2025, 3, 12);
  private static final HexFormat HEX = HexFormat.of();

  private PgTestDatabase db;
  private String testDatabaseName;

  @BeforeEach
  void createDatabase() throws Exception {
    db = PgTestDatabase.create();
    try (Connection conn = db.connect()) {
      testDatabaseName = conn.getCatalog();
    }
  }

  @AfterEach
  void dropDatabase() throws Exception {
    db.close();
  }

  private DailySalts node(MutableClock clock) {
    return DailySalts.openShared(db.url(), ZoneOffset.UTC, clock, Duration.ofMillis(100));
  }

  /** The id the pipeline gives a cookieless page view that happened (and was received) at {@code at}. */
  private static String visitorId(DailySalts salts, Instant at, String ua) {
    EnrichedEvent e = new EnrichedEvent(event("web", cookielessPage("https://shop.example/", at), at, IP, ua));
    new VisitorIds(salts, true).apply(e);
    return e.visitorId;
  }

  private String storedKey(LocalDate day) throws Exception {
    try (Connection conn = db.connect();
         PreparedStatement s = conn.prepareStatement("SELECT salt FROM daily_salts WHERE day = ?")) {
      s.setObject(1, day);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? HEX.formatHex(rs.getBytes(1)) : null;
      }
    }
  }

  private void insertRow(LocalDate day, byte[] key) throws Exception {
    try (Connection conn = db.connect();
         PreparedStatement s = conn.prepareStatement("INSERT INTO daily_salts (day, salt) VALUES (?, ?)")) {
      s.setObject(1, day);
      s.setBytes(2, key);
      s.executeUpdate();
    }
  }

  private static byte[] randomKey() {
    byte[] key = new byte[DailySalts.SALT_BYTES];
    new SecureRandom().nextBytes(key);
    return key;
  }

  /** A connection to the server's postgres database, from where the test database can be shut. */
  private Connection admin() throws Exception {
    return DriverManager.getConnection(db.url().replaceFirst("/[^/?]+(\\?|$)", "/postgres$1"));
  }

  /** New connections to the test database are refused (as when the server is down) until allowed again. */
  private void allowConnections(Connection admin, boolean allowed) throws Exception {
    try (Statement s = admin.createStatement()) {
      s.execute("ALTER DATABASE " + testDatabaseName + " ALLOW_CONNECTIONS " + allowed);
    }
  }

  @Test
  void twoNodesGiveAVisitorTheSameIdAllDayAndOtherIdsTheNextDay() {
    MutableClock clockA = new MutableClock(MONDAY_10H);
    MutableClock clockB = new MutableClock(MONDAY_10H);
    DailySalts a = node(clockA);
    DailySalts b = node(clockB);
    String monday = visitorId(a, MONDAY_10H, CHROME_WINDOWS);
    assertThat(monday).matches("[0-9a-f]{32}");
    assertThat(visitorId(b, MONDAY_10H, CHROME_WINDOWS)).isEqualTo(monday);
    assertThat(visitorId(b, MONDAY_10H, FIREFOX_LINUX)).isNotEqualTo(monday);
    // The key is what is shared: a node with a key of its own gives the same visitor another id.
    assertThat(visitorId(DailySalts.inMemory(ZoneOffset.UTC, clockA), MONDAY_10H, CHROME_WINDOWS)).isNotEqualTo(monday);

    clockA.advance(Duration.ofDays(1));
    clockB.advance(Duration.ofDays(1));
    String tuesday = visitorId(a, clockA.instant(), CHROME_WINDOWS);
    assertThat(tuesday).isNotEqualTo(monday);
    assertThat(visitorId(b, clockB.instant(), CHROME_WINDOWS)).isEqualTo(tuesday);
    // A node started on Tuesday (a partition moved to it) still gives Monday's late events Monday's ids.
    DailySalts c = node(new MutableClock(clockA.instant()));
    Instant mondayNight = Instant.parse("2025-03-10T23:59:00Z");
    assertThat(visitorId(c, mondayNight, CHROME_WINDOWS)).isEqualTo(visitorId(a, mondayNight, CHROME_WINDOWS));
    assertThat(c.storedDays()).containsExactly(MONDAY, TUESDAY);
  }

  @Test
  void nodesStartingOrRotatingAtOnceAllGetTheOneRowThatWon() throws Exception {
    int nodes = 8;
    MutableClock clock = new MutableClock(MONDAY_10H);
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<DailySalts>> opened = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        opened.add(pool.submit(() -> {
          start.await();
          return node(clock);
        }));
      }
      start.countDown();
      List<DailySalts> all = new ArrayList<>();
      Set<String> mondayKeys = ConcurrentHashMap.newKeySet();
      for (Future<DailySalts> f : opened) {
        DailySalts salts = f.get(30, TimeUnit.SECONDS);
        all.add(salts);
        mondayKeys.add(HEX.formatHex(salts.forEvent(MONDAY_10H.toEpochMilli()).key()));
      }
      assertThat(mondayKeys).containsExactly(storedKey(MONDAY));

      clock.set(Instant.parse("2025-03-11T00:00:01Z"));
      CountDownLatch midnight = new CountDownLatch(1);
      List<Future<String>> rotated = new ArrayList<>();
      for (DailySalts salts : all) {
        rotated.add(pool.submit(() -> {
          midnight.await();
          return HEX.formatHex(salts.forEvent(clock.millis()).key());
        }));
      }
      midnight.countDown();
      Set<String> tuesdayKeys = ConcurrentHashMap.newKeySet();
      for (Future<String> f : rotated) {
        tuesdayKeys.add(f.get(30, TimeUnit.SECONDS));
      }
      assertThat(tuesdayKeys).containsExactly(storedKey(TUESDAY));
      assertThat(all.get(0).storedDays()).containsExactly(MONDAY, TUESDAY);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void rotationDeletesEveryRowOlderThanYesterday() throws Exception {
    MutableClock clock = new MutableClock(MONDAY_10H);
    node(clock); // creates the table
    insertRow(LocalDate.of(2024, 12, 24), randomKey());
    insertRow(LocalDate.of(2025, 3, 1), randomKey());
    DailySalts salts = node(clock);
    assertThat(salts.storedDays()).containsExactly(SUNDAY, MONDAY);

    clock.set(Instant.parse("2025-03-11T00:00:01Z"));
    visitorId(salts, clock.instant(), CHROME_WINDOWS);
    assertThat(salts.storedDays()).containsExactly(MONDAY, TUESDAY);

    clock.set(Instant.parse("2025-03-12T08:00:00Z"));
    visitorId(salts, clock.instant(), CHROME_WINDOWS);
    assertThat(salts.storedDays()).containsExactly(TUESDAY, WEDNESDAY);
    assertThat(storedKey(MONDAY)).isNull();
  }

  @Test
  void aNodeWhoseClockOrStateIsBehindConvergesOnTheOthersRows() throws Exception {
    MutableClock clockA = new MutableClock(MONDAY_10H);
    MutableClock clockB = new MutableClock(MONDAY_10H);
    DailySalts a = node(clockA);
    DailySalts b = node(clockB); // holds Sunday's and Monday's keys

    clockA.set(Instant.parse("2025-03-11T00:00:05Z"));
    Instant justAfterMidnight = Instant.parse("2025-03-11T00:00:02Z");
    String tuesdayOnA = visitorId(a, justAfterMidnight, CHROME_WINDOWS); // A makes Tuesday's row
    // B's clock is a few seconds late: still Monday for B, and its Monday key is A's yesterday.
    clockB.set(Instant.parse("2025-03-10T23:59:58Z"));
    Instant mondayNight = Instant.parse("2025-03-10T23:59:50Z");
    assertThat(visitorId(b, mondayNight, CHROME_WINDOWS)).isEqualTo(visitorId(a, mondayNight, CHROME_WINDOWS));
    // At its own midnight B takes A's Tuesday row rather than making one.
    clockB.set(Instant.parse("2025-03-11T00:00:10Z"));
    assertThat(visitorId(b, justAfterMidnight, CHROME_WINDOWS)).isEqualTo(tuesdayOnA);

    // A node started a whole day behind uses the rows that exist and brings back none A deleted.
    clockA.set(Instant.parse("2025-03-12T12:00:00Z"));
    visitorId(a, clockA.instant(), CHROME_WINDOWS);
    assertThat(a.storedDays()).containsExactly(TUESDAY, WEDNESDAY);
    DailySalts c = node(new MutableClock(Instant.parse("2025-03-11T12:00:00Z")));
    Instant tuesdayNoon = Instant.parse("2025-03-11T12:00:00Z");
    assertThat(visitorId(c, tuesdayNoon, CHROME_WINDOWS)).isEqualTo(visitorId(a, tuesdayNoon, CHROME_WINDOWS));
    assertThat(c.storedDays()).containsExactly(TUESDAY, WEDNESDAY);
    // Its "yesterday" (Monday) is gone: a Monday event is keyed like any older one, with its own day hashed in.
    assertThat(visitorId(c, mondayNight, CHROME_WINDOWS)).matches("[0-9a-f]{32}").isNotEqualTo(tuesdayOnA);
    assertThat(c.storedDays()).containsExactly(TUESDAY, WEDNESDAY);
  }

  @Test
  void theRowOfADayIsNeverReplaced() throws Exception {
    MutableClock clock = new MutableClock(MONDAY_10H);
    DailySalts first = node(clock);
    String monday = storedKey(MONDAY);
    // Another node (say, one whose clock is ahead) already made Tuesday's key.
    byte[] tuesday = randomKey();
    insertRow(TUESDAY, tuesday);
    for (int i = 0; i < 3; i++) {
      node(clock);
    }
    assertThat(storedKey(MONDAY)).isEqualTo(monday);
    assertThat(HEX.formatHex(first.forEvent(MONDAY_10H.toEpochMilli()).key())).isEqualTo(monday);

    clock.set(Instant.parse("2025-03-11T00:00:01Z"));
    assertThat(first.forEvent(clock.millis()).key()).isEqualTo(tuesday);
    assertThat(node(clock).forEvent(clock.millis()).key()).isEqualTo(tuesday);
    assertThat(storedKey(MONDAY)).isEqualTo(monday);
    assertThat(storedKey(TUESDAY)).isEqualTo(HEX.formatHex(tuesday));
  }

  @Test
  void anUnreachableDatabaseStopsTheStartWithAClearError() throws Exception {
    MutableClock clock = new MutableClock(MONDAY_10H);
    node(clock);
    try (Connection admin = admin()) {
      allowConnections(admin, false);
      try {
        assertThatThrownBy(() -> node(clock)).isInstanceOf(SaltsUnavailableException.class)
            .hasMessageContaining("daily_salts").hasMessageContaining("not currently accepting connections");
      } finally {
        allowConnections(admin, true);
      }
    }
  }

  @Test
  void anUnreachableDatabaseAtMidnightHoldsTheWorkersUntilItIsBackAndNoPrivateSaltIsUsed() throws Exception {
    MutableClock clockA = new MutableClock(Instant.parse("2025-03-10T23:59:00Z"));
    DailySalts a = node(clockA);
    Instant justAfterMidnight = Instant.parse("2025-03-11T00:00:02Z");
    try (Connection admin = admin()) {
      allowConnections(admin, false);
      CompletableFuture<String> waiting;
      try {
        clockA.set(Instant.parse("2025-03-11T00:00:05Z"));
        waiting = CompletableFuture.supplyAsync(() -> visitorId(a, justAfterMidnight, CHROME_WINDOWS));
        Thread.sleep(1000); // several retries
        assertThat(waiting).isNotDone();
      } finally {
        allowConnections(admin, true);
      }
      // Whichever node makes Tuesday's row, both use it.
      DailySalts b = node(new MutableClock(Instant.parse("2025-03-11T00:00:06Z")));
      assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(visitorId(b, justAfterMidnight, CHROME_WINDOWS));
      assertThat(b.storedDays()).containsExactly(MONDAY, TUESDAY);
    }
  }

  @Test
  void workersWaitingForTheDatabaseStopWhenInterrupted() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2025-03-10T23:59:00Z"));
    DailySalts salts = node(clock);
    try (Connection admin = admin()) {
      allowConnections(admin, false);
      try {
        clock.set(Instant.parse("2025-03-11T00:00:05Z"));
        List<Thread> workers = new ArrayList<>();
        List<AtomicReference<Throwable>> failures = new ArrayList<>();
        for (int i = 0; i < 2; i++) { // one retries the rotation, the other waits for its lock
          AtomicReference<Throwable> failure = new AtomicReference<>();
          failures.add(failure);
          Thread t = new Thread(() -> {
            try {
              visitorId(salts, clock.instant(), CHROME_WINDOWS);
            } catch (Throwable e) {
              failure.set(e);
            }
          });
          t.start();
          workers.add(t);
        }
        Thread.sleep(500);
        for (Thread t : workers) {
          assertThat(t.isAlive()).isTrue();
          t.interrupt();
        }
        for (Thread t : workers) {
          t.join(5000);
          assertThat(t.isAlive()).isFalse();
        }
        for (AtomicReference<Throwable> failure : failures) {
          assertThat(failure.get()).isInstanceOf(PipelineInterruptedException.class);
        }
      } finally {
        allowConnections(admin, true);
      }
    }
  }
}
