package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session rollup of a dashboard node follows what its mirror copies: events of an old day
 * received long ago (a late commit, a catch-up), and deletions, show within a pass or two — not
 * only in the next full comparison, which comes every {@link SessionRollup#FULL_EVERY} passes
 * (15 s here). Without {@link SessionRollup#changed} neither would show within the 5 s waited.
 */
class WarehouseMirrorRollupTest {
  private static final Clock ON_THE_20TH = Clock.fixed(Instant.parse("2026-11-20T10:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path dir;

  @Test
  void lateCopiesAndDeletionsOfOldDaysReachTheRollupInTheNextPass() throws Exception {
    try (PgTestDatabase db = PgTestDatabase.create(); Connection pg = db.connect();
         DuckDbWarehouse local = DuckDbWarehouse.open(dir.resolve("mirror.duckdb"), new SimpleMeterRegistry())) {
      PgSchema.create(pg);
      try (Statement s = pg.createStatement()) {
        for (int day = 11; day <= 20; day++) {
          s.execute(PgSchema.partitionDdl(LocalDate.of(2026, 11, day)));
        }
      }
      page(pg, "old", "2026-11-12 12:00:00", "2026-11-12 12:00:01");
      page(pg, "recent", "2026-11-20 09:00:00", "2026-11-20 09:00:01");
      WarehouseMirror mirror = WarehouseMirror.manual(db.url(), local, Duration.ofSeconds(1), new SimpleMeterRegistry(),
          Clock.systemUTC());
      try (SessionRollup rollup = SessionRollup.start(local, Duration.ofMillis(500), ON_THE_20TH)) {
        mirror.addListener(changes -> rollup.changed(changes.changedDays()));
        mirror.syncNow();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!rollup.ready() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(rollup.ready()).isTrue();
        awaitRolledUp(local, "recent", 1);
        Thread.sleep(600); // one more pass: it notes the newest receipt (the 20th)

        // committed now, received (and happened) on the 11th: neither recent nor received since the last pass
        page(pg, "late", "2026-11-11 12:00:00", "2026-11-11 12:00:01");
        mirror.syncNow();
        awaitRolledUp(local, "late", 1);

        // a person of the 12th deleted
        try (Statement s = pg.createStatement()) {
          s.execute("BEGIN");
          s.execute("DELETE FROM events WHERE anonymous_id = 'old'");
          s.execute("INSERT INTO mirror_deletes (table_name, key_column, key_value) VALUES ('events', 'anonymous_id', 'old')");
          s.execute("COMMIT");
        }
        assertThat(rolledUp(local, "old")).isEqualTo(1);
        mirror.syncNow();
        awaitRolledUp(local, "old", 0);
      } finally {
        mirror.close();
      }
    }
  }

  private static void awaitRolledUp(DuckDbWarehouse local, String visitor, long sessions) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (rolledUp(local, visitor) != sessions && System.nanoTime() < until) {
      Thread.sleep(100);
    }
    assertThat(rolledUp(local, visitor)).as("sessions of %s rolled up within 5 s", visitor).isEqualTo(sessions);
  }

  private static long rolledUp(DuckDbWarehouse local, String visitor) throws SQLException {
    return Sql.count(local, "SELECT count(*) FROM session_rollup WHERE visitor_id = ?", visitor);
  }

  private static void page(Connection pg, String visitor, String timestamp, String receivedAt) throws SQLException {
    try (PreparedStatement ps = pg.prepareStatement("INSERT INTO events (message_id, source, type, anonymous_id,"
        + " visitor_id, session_id, session_number, page_path, timestamp, received_at, is_bot, log_partition, log_offset)"
        + " VALUES (?, 'web', 'page', ?, ?, ?, 1, '/', CAST(? AS timestamp), CAST(? AS timestamp), false, 0, 7)")) {
      ps.setString(1, visitor + "-m");
      ps.setString(2, visitor);
      ps.setString(3, visitor);
      ps.setString(4, visitor + "-s");
      ps.setString(5, timestamp);
      ps.setString(6, receivedAt);
      ps.executeUpdate();
    }
  }
}
