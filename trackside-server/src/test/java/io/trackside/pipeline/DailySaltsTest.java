package io.trackside.pipeline;

import static io.trackside.pipeline.PipelineEvents.CHROME_WINDOWS;
import static io.trackside.pipeline.PipelineEvents.cookielessPage;
import static io.trackside.pipeline.PipelineEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.core.EnrichedEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DailySaltsTest {

  private static final String IP = "198.51.100.23";
  private static final Instant MONDAY_10H = Instant.parse("2025-03-10T10:00:00Z");

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(MONDAY_10H);

  private DailySalts open() {
    return DailySalts.open(dir.resolve("salts"), ZoneOffset.UTC, clock);
  }

  /** The visitor id the pipeline gives a cookieless page view that happened at {@code at}, received now. */
  private String visitorId(DailySalts salts, Instant at, String ip, String ua) {
    EnrichedEvent e = new EnrichedEvent(event("web", cookielessPage("https://shop.example/", at), clock.instant(), ip, ua));
    new VisitorIds(salts, true).apply(e);
    return e.visitorId;
  }

  @Test
  void aRestartOnTheSameDayKeepsEveryVisitorId() {
    String before = visitorId(open(), MONDAY_10H, IP, CHROME_WINDOWS);
    clock.advance(Duration.ofHours(9));
    String after = visitorId(open(), clock.instant(), IP, CHROME_WINDOWS);
    assertThat(before).matches("[0-9a-f]{32}").isEqualTo(after);
    assertThat(open().storedDays()).containsExactly(LocalDate.of(2025, 3, 9), LocalDate.of(2025, 3, 10));
  }

  @Test
  void theSameVisitorGetsAnotherIdTheNextDayAndAnotherIdOnAnotherInstallation() {
    DailySalts salts = open();
    String monday = visitorId(salts, MONDAY_10H, IP, CHROME_WINDOWS);
    clock.advance(Duration.ofDays(1));
    String tuesday = visitorId(salts, clock.instant(), IP, CHROME_WINDOWS);
    assertThat(tuesday).isNotEqualTo(monday);
    // A random salt, not a derived one: a second data directory gives other ids for the same input.
    DailySalts elsewhere = DailySalts.open(dir.resolve("other-salts"), ZoneOffset.UTC, clock);
    assertThat(visitorId(elsewhere, clock.instant(), IP, CHROME_WINDOWS)).isNotEqualTo(tuesday);
  }

  @Test
  void onlyTodaysAndYesterdaysSaltsEverExistAndOlderOnesAreOverwrittenThenDeleted() throws Exception {
    Path saltDir = Files.createDirectories(dir.resolve("salts"));
    Files.write(saltDir.resolve("2024-12-24.salt"), new byte[DailySalts.SALT_BYTES]);
    Files.write(saltDir.resolve("2025-03-01.salt.tmp"), new byte[7]);
    DailySalts salts = open();
    assertThat(salts.storedDays()).containsExactly(LocalDate.of(2025, 3, 9), LocalDate.of(2025, 3, 10));
    assertThat(saltDir.resolve("2025-03-01.salt.tmp")).doesNotExist();

    // A second name for Monday's salt file shows what happens to its bytes when it expires.
    Path mondayFile = saltDir.resolve("2025-03-10.salt");
    Path witness = Files.createLink(dir.resolve("witness"), mondayFile);
    byte[] mondayKey = Files.readAllBytes(mondayFile);
    assertThat(mondayKey).hasSize(DailySalts.SALT_BYTES).isNotEqualTo(new byte[DailySalts.SALT_BYTES]);

    clock.set(Instant.parse("2025-03-11T00:00:01Z"));
    visitorId(salts, clock.instant(), IP, CHROME_WINDOWS);
    assertThat(salts.storedDays()).containsExactly(LocalDate.of(2025, 3, 10), LocalDate.of(2025, 3, 11));
    assertThat(Files.readAllBytes(witness)).isEqualTo(mondayKey); // yesterday's is still needed

    clock.set(Instant.parse("2025-03-12T08:00:00Z"));
    visitorId(salts, clock.instant(), IP, CHROME_WINDOWS);
    assertThat(salts.storedDays()).containsExactly(LocalDate.of(2025, 3, 11), LocalDate.of(2025, 3, 12));
    assertThat(mondayFile).doesNotExist();
    assertThat(Files.readAllBytes(witness)).isEqualTo(new byte[DailySalts.SALT_BYTES]); // zeroed before deletion
  }

  @Test
  void anEventOfYesterdayReceivedJustAfterMidnightKeepsItsVisitorsId() {
    DailySalts salts = open();
    clock.set(Instant.parse("2025-03-10T23:59:30Z"));
    String lateEvening = visitorId(salts, clock.instant(), IP, CHROME_WINDOWS);
    clock.set(Instant.parse("2025-03-11T00:01:10Z"));
    String sentBeforeMidnight = visitorId(salts, Instant.parse("2025-03-10T23:59:55Z"), IP, CHROME_WINDOWS);
    String afterMidnight = visitorId(salts, clock.instant(), IP, CHROME_WINDOWS);
    assertThat(sentBeforeMidnight).isEqualTo(lateEvening);
    assertThat(afterMidnight).isNotEqualTo(lateEvening);
  }

  @Test
  void anEventOfAnOlderDayNeverSharesAnIdWithTodaysVisitors() {
    DailySalts salts = open();
    clock.set(Instant.parse("2025-03-15T12:00:00Z"));
    String today = visitorId(salts, clock.instant(), IP, CHROME_WINDOWS);
    // Replayed from the log, or sent by a client that was offline for days: only today's key exists.
    String replayedA = visitorId(salts, Instant.parse("2025-03-10T09:00:00Z"), IP, CHROME_WINDOWS);
    String replayedB = visitorId(salts, Instant.parse("2025-03-10T17:00:00Z"), IP, CHROME_WINDOWS);
    assertThat(replayedA).isNotEqualTo(today).isEqualTo(replayedB);
    // A timestamp in the future is the time of receipt.
    assertThat(visitorId(salts, Instant.parse("2025-03-20T12:00:00Z"), IP, CHROME_WINDOWS)).isEqualTo(today);
  }

  @Test
  void aClockSetBackDoesNotBringBackADeletedDay() {
    DailySalts salts = open();
    clock.set(Instant.parse("2025-03-13T10:00:00Z"));
    String thursday = visitorId(salts, clock.instant(), IP, CHROME_WINDOWS);
    clock.set(Instant.parse("2025-03-11T10:00:00Z"));
    visitorId(salts, clock.instant(), IP, CHROME_WINDOWS);
    assertThat(salts.storedDays()).containsExactly(LocalDate.of(2025, 3, 12), LocalDate.of(2025, 3, 13));
    clock.set(Instant.parse("2025-03-13T11:00:00Z"));
    assertThat(visitorId(salts, clock.instant(), IP, CHROME_WINDOWS)).isEqualTo(thursday);
  }

  @Test
  void theDayIsTheSitesDayAndSaltFilesAreTheOwnersOnly() throws Exception {
    // 23:30 UTC on the 10th is already the 11th in Berlin.
    clock.set(Instant.parse("2025-03-10T23:30:00Z"));
    DailySalts berlin = DailySalts.open(dir.resolve("salts"), ZoneId.of("Europe/Berlin"), clock);
    assertThat(berlin.storedDays()).containsExactly(LocalDate.of(2025, 3, 10), LocalDate.of(2025, 3, 11));
    String justAfterMidnightInBerlin = visitorId(berlin, clock.instant(), IP, CHROME_WINDOWS);
    String anHourEarlier = visitorId(berlin, Instant.parse("2025-03-10T22:30:00Z"), IP, CHROME_WINDOWS);
    assertThat(anHourEarlier).isNotEqualTo(justAfterMidnightInBerlin);
    Path file = dir.resolve("salts/2025-03-11.salt");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void aNodeMovingToSharedSaltsDeletesItsOwnAfterZeroingThem() throws Exception {
    open();
    Path saltDir = dir.resolve("salts");
    Path witness = Files.createLink(dir.resolve("witness"), saltDir.resolve("2025-03-10.salt"));
    DailySalts.deleteFiles(saltDir);
    assertThat(new FileSaltStore(saltDir).storedDays()).isEmpty();
    assertThat(Files.readAllBytes(witness)).isEqualTo(new byte[DailySalts.SALT_BYTES]);
    DailySalts.deleteFiles(dir.resolve("never-made")); // a node that never had files of its own
  }

  @Test
  void aDamagedSaltFileIsReplaced() throws Exception {
    Path saltDir = Files.createDirectories(dir.resolve("salts"));
    Files.write(saltDir.resolve("2025-03-10.salt"), new byte[] {1, 2, 3});
    DailySalts salts = open();
    assertThat(Files.readAllBytes(saltDir.resolve("2025-03-10.salt"))).hasSize(DailySalts.SALT_BYTES);
    assertThat(visitorId(salts, MONDAY_10H, IP, CHROME_WINDOWS)).matches("[0-9a-f]{32}");
  }

  @Test
  void manyWorkersShareOneSaltsObjectAcrossMidnight() throws Exception {
    DailySalts salts = open();
    clock.set(Instant.parse("2025-03-10T23:59:59.990Z"));
    String before = visitorId(salts, clock.instant(), IP, CHROME_WINDOWS);
    Thread[] workers = new Thread[4];
    String[][] seen = new String[workers.length][200];
    for (int w = 0; w < workers.length; w++) {
      int worker = w;
      workers[w] = new Thread(() -> {
        VisitorIds ids = new VisitorIds(salts, true);
        for (int i = 0; i < 200; i++) {
          if (worker == 0 && i == 100) {
            clock.set(Instant.parse("2025-03-11T00:00:00.500Z"));
          }
          // Always an event of the 10th: before and after the rotation it must hash the same.
          EnrichedEvent e = new EnrichedEvent(event("web", cookielessPage("https://shop.example/",
              Instant.parse("2025-03-10T23:59:59.980Z")), Instant.parse("2025-03-10T23:59:59.990Z"), IP, CHROME_WINDOWS));
          ids.apply(e);
          seen[worker][i] = e.visitorId;
        }
      });
      workers[w].start();
    }
    for (Thread t : workers) {
      t.join();
    }
    for (String[] ids : seen) {
      assertThat(ids).containsOnly(before);
    }
  }
}
