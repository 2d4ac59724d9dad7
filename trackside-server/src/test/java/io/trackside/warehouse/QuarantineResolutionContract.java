package io.trackside.warehouse;

import static io.trackside.warehouse.TestEvents.logged;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.Event;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The warehouse side of quarantine replay, on every {@link Warehouse}: paging, settling a page in one transaction. */
abstract class QuarantineResolutionContract {

  protected Warehouse warehouse;
  protected WarehouseFixture fixture;

  /** A fixture for a new, empty database. */
  protected abstract WarehouseFixture newFixture() throws Exception;

  @BeforeEach
  void createFixture() throws Exception {
    fixture = newFixture();
  }

  @AfterEach
  void close() throws Exception {
    if (warehouse != null) {
      warehouse.close();
    }
    fixture.close();
  }

  protected Warehouse open(int recentIds) {
    warehouse = fixture.open(new SimpleMeterRegistry(), recentIds);
    return warehouse;
  }

  protected static QuarantinedRecord row(String messageId, String reason, String source, String receivedAt, long offset) {
    return new QuarantinedRecord(Instant.parse(receivedAt), source, reason, "detail of " + messageId, messageId,
        TestEvents.track(messageId, "anon-" + messageId).getBytes(StandardCharsets.UTF_8), 1, offset,
        "203.0.113.0", "Mozilla/5.0 Test");
  }

  protected void quarantine(QuarantinedRecord... rows) throws SQLException {
    warehouse.write(new WarehouseBatch("warehouse", List.of(), List.of(rows), Map.of()));
  }

  @Test
  void pagesGoOldestFirstAfterTheLastRowAndHonourTheFilter() throws SQLException {
    open(1000);
    quarantine(row("q3", "schema_violation", "web", "2026-11-28T10:00:03Z", 3),
        row("q1", "schema_violation", "web", "2026-11-28T10:00:01Z", 1),
        row("q2", "no_user_anon_id", "web", "2026-11-28T10:00:02Z", 2),
        row("q4", "schema_violation", "backend", "2026-11-28T10:00:04Z", 4),
        row("q5", "schema_violation", "web", "2026-11-28T10:00:01Z", 5));
    QuarantineFilter violations = new QuarantineFilter("schema_violation", "web", null, null);
    assertThat(warehouse.countQuarantine(violations)).isEqualTo(3);
    assertThat(warehouse.countQuarantine(QuarantineFilter.all())).isEqualTo(5);
    assertThat(warehouse.countQuarantine(new QuarantineFilter(null, null, Instant.parse("2026-11-28T10:00:02Z"),
        Instant.parse("2026-11-28T10:00:04Z")))).as("since inclusive, until exclusive").isEqualTo(2);

    List<QuarantineRow> first = warehouse.quarantinePage(violations, null, 2);
    assertThat(first).extracting(QuarantineRow::messageId).containsExactlyInAnyOrder("q1", "q5");
    List<QuarantineRow> second = warehouse.quarantinePage(violations, first.get(1), 2);
    assertThat(second).extracting(QuarantineRow::messageId).containsExactly("q3");
    assertThat(warehouse.quarantinePage(violations, second.get(0), 2)).isEmpty();
    QuarantineRow q3 = second.get(0);
    assertThat(q3.ip()).isEqualTo("203.0.113.0");
    assertThat(q3.userAgent()).isEqualTo("Mozilla/5.0 Test");
    assertThat(q3.logPartition()).isEqualTo(1);
    assertThat(q3.logOffset()).isEqualTo(3);
    assertThat(q3.payload()).contains("\"messageId\":\"q3\"");
    assertThat(q3.id()).hasSize(36);
  }

  @Test
  void aSettledPageWritesRemovesAndUpdatesTogether() throws SQLException {
    open(1000);
    quarantine(row("p1", "schema_violation", "web", "2026-11-28T10:00:01Z", 1),
        row("d1", "schema_violation", "web", "2026-11-28T10:00:02Z", 2),
        row("f1", "schema_violation", "web", "2026-11-28T10:00:03Z", 3));
    List<QuarantineRow> rows = warehouse.quarantinePage(QuarantineFilter.all(), null, 10);
    QuarantineResolution.Result result = warehouse.resolveQuarantine(new QuarantineResolution(
        List.of(new QuarantineResolution.Passed(rows.get(0).id(), logged("p1", 1, 1))),
        List.of(rows.get(1).id()),
        List.of(new QuarantineResolution.Failed(rows.get(2).id(), "unplanned_event", "\"X\" is not in the plan"))));

    assertThat(result).isEqualTo(new QuarantineResolution.Result(1, 0, 0));
    assertThat(warehouse.countEvents()).isEqualTo(1);
    List<QuarantineRow> left = warehouse.quarantinePage(QuarantineFilter.all(), null, 10);
    assertThat(left).singleElement().satisfies(r -> {
      assertThat(r.messageId()).isEqualTo("f1");
      assertThat(r.reason()).isEqualTo("unplanned_event");
      assertThat(r.detail()).isEqualTo("\"X\" is not in the plan");
    });
  }

  @Test
  void anEventAlreadyStoredIsNotWrittenAgainEvenWhenTheDedupeWindowForgotIt() throws SQLException {
    open(1); // remembers one id: the table itself must catch the duplicate
    warehouse.write(new WarehouseBatch("warehouse", List.of(logged("m-1", 0, 0), logged("m-2", 0, 1)), List.of(),
        Map.of(0, 2L)));
    quarantine(row("m-1", "schema_violation", "web", "2026-11-28T10:00:01Z", 7),
        row("m-3", "schema_violation", "web", "2026-11-28T10:00:02Z", 8));
    List<QuarantineRow> rows = warehouse.quarantinePage(QuarantineFilter.all(), null, 10);
    QuarantineResolution.Result result = warehouse.resolveQuarantine(new QuarantineResolution(List.of(
        new QuarantineResolution.Passed(rows.get(0).id(), logged("m-1", 1, 7)),
        new QuarantineResolution.Passed(rows.get(1).id(), logged("m-3", 1, 8))), List.of(), List.of()));

    assertThat(result).isEqualTo(new QuarantineResolution.Result(1, 1, 0));
    assertThat(warehouse.countEvents()).isEqualTo(3);
    assertThat(warehouse.countQuarantine(QuarantineFilter.all())).isZero();
  }

  @Test
  void anEventTheTableCannotHoldStaysInTheQuarantineAsUnstorable() throws SQLException {
    open(1000);
    quarantine(row("far", "schema_violation", "web", "2026-11-28T10:00:01Z", 1));
    QuarantineRow row = warehouse.quarantinePage(QuarantineFilter.all(), null, 1).get(0);
    Event good = logged("far", 1, 1).event();
    Event farFuture = new Event("web", "far", "track", "x", null, null, "a", null, null,
        Instant.parse("+300000-01-01T00:00:00Z"), null, null, good.receivedAt(), null, null, good.context(),
        good.properties(), good.traits(), good.integrations());

    QuarantineResolution.Result result = warehouse.resolveQuarantine(new QuarantineResolution(
        List.of(new QuarantineResolution.Passed(row.id(), logged(farFuture, 1, 1))), List.of(), List.of()));

    assertThat(result).isEqualTo(new QuarantineResolution.Result(0, 0, 1));
    assertThat(warehouse.countEvents()).isZero();
    assertThat(warehouse.quarantinePage(QuarantineFilter.all(), null, 1).get(0).reason()).isEqualTo("unstorable");
  }
}
