package io.trackside.warehouse;

import static io.trackside.warehouse.InsightsData.NOVEMBER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Journeys on a real DuckDB file, with the paths worked out by hand. */
class JourneysTest {
  @TempDir
  java.nio.file.Path dir;
  private DuckDbWarehouse warehouse;
  private Connection conn;

  @BeforeEach
  void open() throws Exception {
    warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), new SimpleMeterRegistry());
    conn = warehouse.newConnection();
    InsightsData data = new InsightsData(conn);
    // S1: / → /pricing → /pricing (a reload: collapsed) → /signup → Signed Up.
    data.page("v1", "s1", "2026-11-10T10:00:00Z", "/").add();
    data.page("v1", "s1", "2026-11-10T10:01:00Z", "/pricing").add();
    data.page("v1", "s1", "2026-11-10T10:02:00Z", "/pricing").add();
    data.track("v1", "s1", "2026-11-10T10:04:00Z", "Signed Up").add(); // arrives before the page before it
    data.page("v1", "s1", "2026-11-10T10:03:00Z", "/signup").add();
    // S2: /pricing → /docs → /pricing → /signup (anchored at its first /pricing).
    data.page("v2", "s2", "2026-11-11T10:00:00Z", "/pricing").add();
    data.page("v2", "s2", "2026-11-11T10:01:00Z", "/docs").add();
    data.page("v2", "s2", "2026-11-11T10:02:00Z", "/pricing").add();
    data.page("v2", "s2", "2026-11-11T10:03:00Z", "/signup").add();
    // S3 never sees /pricing: not part of any journey from or to it.
    data.page("v3", "s3", "2026-11-12T10:00:00Z", "/").add();
    data.page("v3", "s3", "2026-11-12T10:01:00Z", "/blog").add();
    // S4: /docs → /pricing ×3 (collapsed into one): nothing after /pricing.
    data.page("v4", "s4", "2026-11-13T10:00:00Z", "/docs").add();
    data.page("v4", "s4", "2026-11-13T10:01:00Z", "/pricing").add();
    data.page("v4", "s4", "2026-11-13T10:02:00Z", "/pricing").add();
    data.page("v4", "s4", "2026-11-13T10:03:00Z", "/pricing").add();
  }

  @AfterEach
  void close() throws Exception {
    conn.close();
    warehouse.close();
  }

  @Test
  void nextStepsWithRepeatsCollapsed() throws Exception {
    JourneyResult result = Journeys.run(conn, NOVEMBER, new JourneyRequest(FunnelStep.Kind.PAGE, "/pricing", true, 2));
    // Collapsed: S1 = / /pricing /signup "Signed Up"; S2 = /pricing /docs /pricing /signup; S4 = /docs /pricing.
    // From the first /pricing, two steps: S1 → /signup → Signed Up; S2 → /docs → /pricing; S4 → (end).
    assertThat(result.nodes()).extracting(JourneyResult.Node::id, JourneyResult.Node::sessions).containsExactly(
        tuple("0:/pricing", 3L), tuple("1:/docs", 1L), tuple("1:/signup", 1L), tuple("2:/pricing", 1L),
        tuple("2:Signed Up", 1L));
    assertThat(result.links()).extracting(JourneyResult.Link::source, JourneyResult.Link::target,
        JourneyResult.Link::sessions).containsExactlyInAnyOrder(
        tuple("0:/pricing", "1:/docs", 1L), tuple("0:/pricing", "1:/signup", 1L),
        tuple("1:/docs", "2:/pricing", 1L), tuple("1:/signup", "2:Signed Up", 1L));
    // Next steps: /docs and /signup, 1 of the 3 sessions each.
    assertThat(result.top()).extracting(JourneyResult.Top::label, JourneyResult.Top::sessions)
        .containsExactly(tuple("/docs", 1L), tuple("/signup", 1L));
    assertThat(result.top().get(0).share()).isEqualTo(1.0 / 3);
  }

  @Test
  void previousStepsLeadIntoTheStart() throws Exception {
    JourneyResult result = Journeys.run(conn, NOVEMBER,
        new JourneyRequest(FunnelStep.Kind.PAGE, "/pricing", false, 2));
    // Before the first /pricing: S1 came from /, S2 started there, S4 came from /docs (its
    // three /pricing views are one step, so not "/pricing came from /pricing").
    assertThat(result.nodes()).extracting(JourneyResult.Node::id, JourneyResult.Node::sessions).containsExactly(
        tuple("0:/pricing", 3L), tuple("1:/", 1L), tuple("1:/docs", 1L));
    assertThat(result.links()).extracting(JourneyResult.Link::source, JourneyResult.Link::target)
        .containsExactlyInAnyOrder(tuple("1:/", "0:/pricing"), tuple("1:/docs", "0:/pricing"));
    assertThat(result.top()).extracting(JourneyResult.Top::label).containsExactly("/", "/docs");
  }

  @Test
  void fromAnEventBackwards() throws Exception {
    JourneyResult result = Journeys.run(conn, NOVEMBER,
        new JourneyRequest(FunnelStep.Kind.EVENT, "Signed Up", false, 5));
    // Only S1 signed up: Signed Up ← /signup ← /pricing (one, after collapsing) ← /.
    assertThat(result.nodes()).extracting(JourneyResult.Node::id).containsExactly(
        "0:Signed Up", "1:/signup", "2:/pricing", "3:/");
    assertThat(result.links()).extracting(JourneyResult.Link::source, JourneyResult.Link::target)
        .containsExactlyInAnyOrder(tuple("1:/signup", "0:Signed Up"), tuple("2:/pricing", "1:/signup"),
            tuple("3:/", "2:/pricing"));
    // A page named like the event is not the event: no journey.
    assertThat(Journeys.run(conn, NOVEMBER, new JourneyRequest(FunnelStep.Kind.PAGE, "Signed Up", false, 5)).nodes())
        .isEmpty();
  }
}
