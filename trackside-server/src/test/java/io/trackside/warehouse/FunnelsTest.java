package io.trackside.warehouse;

import static io.trackside.warehouse.InsightsData.NOVEMBER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Funnels on a real DuckDB file, seeded so that every number can be worked out by hand. */
class FunnelsTest {
  private static final FunnelStep HOME = new FunnelStep(FunnelStep.Kind.PAGE, "/", List.of());
  private static final FunnelStep ADDED = new FunnelStep(FunnelStep.Kind.EVENT, "Product Added", List.of());
  private static final FunnelStep ORDERED = new FunnelStep(FunnelStep.Kind.EVENT, "Order Completed", List.of());

  @TempDir
  java.nio.file.Path dir;
  private DuckDbWarehouse warehouse;
  private Connection conn;
  private InsightsData data;

  @BeforeEach
  void open() throws Exception {
    warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), new SimpleMeterRegistry());
    conn = warehouse.newConnection();
    data = new InsightsData(conn);
  }

  @AfterEach
  void close() throws Exception {
    conn.close();
    warehouse.close();
  }

  @Test
  void countsConversionDropOffAndMedianTimeInTimestampOrder() throws Exception {
    // A: / 10:00:00 → Product Added 10:01 → Order Completed 10:03: all 3 steps (60 s, 120 s).
    data.page("a", "sa", "2026-11-10T10:00:00Z", "/").add();
    data.track("a", "sa", "2026-11-10T10:01:00Z", "Product Added").add();
    data.track("a", "sa", "2026-11-10T10:03:00Z", "Order Completed").add();
    // B: / 11:00 → Product Added 11:03: 2 steps (180 s).
    data.page("b", "sb", "2026-11-10T11:00:00Z", "/").add();
    data.track("b", "sb", "2026-11-10T11:03:00Z", "Product Added").add();
    // C: Product Added 12:00 before / 12:01: out of order, so only step 1.
    data.track("c", "sc", "2026-11-10T12:00:00Z", "Product Added").add();
    data.page("c", "sc", "2026-11-10T12:01:00Z", "/").add();
    // D arrives backwards (order first), but by timestamp it is / 13:00 → added 13:02 → order 13:05:
    // all 3 steps (120 s, 180 s).
    data.track("d", "sd", "2026-11-10T13:05:00Z", "Order Completed").add();
    data.track("d", "sd", "2026-11-10T13:02:00Z", "Product Added").add();
    data.page("d", "sd", "2026-11-10T13:00:00Z", "/").add();
    // E only orders: never starts the funnel. F is in October: out of range.
    data.track("e", "se", "2026-11-10T14:00:00Z", "Order Completed").add();
    data.page("f", "sf", "2026-10-30T10:00:00Z", "/").add();

    FunnelResult result = Funnels.run(conn, NOVEMBER, new FunnelRequest(List.of(HOME, ADDED, ORDERED), null, null));

    // Step 1: A, B, C, D = 4. Step 2: A, B, D = 3 (drop 1, 3/4). Step 3: A, D = 2 (drop 1, 2/3, 2/4 of the start).
    List<FunnelResult.Step> steps = result.steps();
    assertThat(steps).extracting(FunnelResult.Step::count).containsExactly(4L, 3L, 2L);
    assertThat(steps).extracting(FunnelResult.Step::dropOff).containsExactly(0L, 1L, 1L);
    assertThat(steps.get(0).conversionFromPrevious()).isEqualTo(1.0);
    assertThat(steps.get(1).conversionFromPrevious()).isEqualTo(0.75);
    assertThat(steps.get(2).conversionFromPrevious()).isCloseTo(2.0 / 3, within(1e-9));
    assertThat(steps.get(2).conversionFromStart()).isEqualTo(0.5);
    // Medians: step 2 of {60 (A), 180 (B), 120 (D)} = 120; step 3 of {120 (A), 180 (D)} = 150.
    assertThat(steps.get(0).medianSecondsFromPrevious()).isNull();
    assertThat(steps.get(1).medianSecondsFromPrevious()).isEqualTo(120.0);
    assertThat(steps.get(2).medianSecondsFromPrevious()).isEqualTo(150.0);
    assertThat(result.breakdown()).isEmpty();
  }

  @Test
  void onePersonOnTwoDevicesCountsOnceAndTheWindowDecidesWhatChains() throws Exception {
    // The laptop's anonymous id is linked to user u1; the phone's events carry u1 itself.
    data.link("anon-laptop", "u1");
    data.page("anon-laptop", "s-laptop", "2026-11-10T10:00:00Z", "/").add();
    data.track("anon-laptop", "s-laptop", "2026-11-10T10:05:00Z", "Product Added").add();
    data.page("anon-phone", "s-phone", "2026-11-12T08:55:00Z", "/").user("u1").add();
    data.track("anon-phone", "s-phone", "2026-11-12T09:00:00Z", "Order Completed").user("u1").add();
    List<FunnelStep> steps = List.of(HOME, ADDED, ORDERED);

    // Session window: the laptop session reaches step 2, the phone session only step 1 (no add
    // after its /). u1 counts once, with the deeper session: 1, 1, 0.
    assertThat(counts(new FunnelRequest(steps, null, null))).containsExactly(1L, 1L, 0L);
    // 7 days: / Nov 10 10:00 → added 10:05 → order Nov 12 09:00, within 7 days of step 1: 1, 1, 1,
    // and the phone's / does not make u1 a second person at step 1.
    FunnelResult week = Funnels.run(conn, NOVEMBER, new FunnelRequest(steps, 7, null));
    assertThat(week.steps()).extracting(FunnelResult.Step::count).containsExactly(1L, 1L, 1L);
    // Nov 10 10:05 → Nov 12 09:00 = 2 days − 1 h 05 min = 172,800 − 3,900 = 168,900 s.
    assertThat(week.steps().get(2).medianSecondsFromPrevious()).isEqualTo(168_900.0);
    // 1 day: the order is 47 h after step 1, too late.
    assertThat(counts(new FunnelRequest(steps, 1, null))).containsExactly(1L, 1L, 0L);
  }

  @Test
  void breaksDownBySessionChannelAndFiltersOnProperties() throws Exception {
    // Each person: / (the session's first event carries its channel) then an order whose own
    // event says "internal", to show that the session's channel counts, not the step's.
    order("p1", "email", "{\"currency\": \"EUR\", \"revenue\": 10}");
    order("p2", "email", "{\"currency\": \"USD\", \"revenue\": 20}");
    order("p3", "social", "{\"currency\": \"EUR\", \"revenue\": 3}");
    data.page("p4", "s-p4", "2026-11-10T10:00:00Z", "/").add(); // no channel, no order

    FunnelResult eur = Funnels.run(conn, NOVEMBER,
        new FunnelRequest(List.of(HOME, ordered(PropertyFilter.Op.EQ, "currency", "EUR")), null, "channel"));
    // Total: 4 start, p1 and p3 ordered in EUR = 2.
    assertThat(eur.steps()).extracting(FunnelResult.Step::count).containsExactly(4L, 2L);
    // email: p1, p2 start, p1 converts; (none): p4; social: p3, converts. Sorted by starts, then name.
    assertThat(eur.breakdown()).extracting(FunnelResult.Segment::value).containsExactly("email", "(none)", "social");
    assertThat(eur.breakdown().get(0).steps()).extracting(FunnelResult.Step::count).containsExactly(2L, 1L);
    assertThat(eur.breakdown().get(1).steps()).extracting(FunnelResult.Step::count).containsExactly(1L, 0L);
    assertThat(eur.breakdown().get(2).steps()).extracting(FunnelResult.Step::count).containsExactly(1L, 1L);

    // revenue > 5: p1 (10), p2 (20). < 5: p3 (3). currency ≠ EUR: p2. currency contains "U": all three orders.
    assertThat(counts(new FunnelRequest(List.of(HOME, ordered(PropertyFilter.Op.GT, "revenue", "5")), null, null)))
        .containsExactly(4L, 2L);
    assertThat(counts(new FunnelRequest(List.of(HOME, ordered(PropertyFilter.Op.LT, "revenue", "5")), null, null)))
        .containsExactly(4L, 1L);
    assertThat(counts(new FunnelRequest(List.of(HOME, ordered(PropertyFilter.Op.NEQ, "currency", "EUR")), null, null)))
        .containsExactly(4L, 1L);
    assertThat(counts(new FunnelRequest(List.of(HOME, ordered(PropertyFilter.Op.CONTAINS, "currency", "U")), null,
        null))).containsExactly(4L, 3L);
    // A property name is data, never SQL: a hostile one matches nothing and breaks nothing.
    assertThat(counts(new FunnelRequest(List.of(HOME, ordered(PropertyFilter.Op.EQ, "x') OR 1=1 --", "EUR")), null,
        null))).containsExactly(4L, 0L);
  }

  @Test
  void breaksDownByTheFirstStepsDevice() throws Exception {
    data.page("m", "s-m", "2026-11-10T10:00:00Z", "/").device("phone").add();
    data.track("m", "s-m", "2026-11-10T10:01:00Z", "Order Completed").device("phone").add();
    data.page("d", "s-d", "2026-11-10T10:00:00Z", "/").add();
    FunnelResult result = Funnels.run(conn, NOVEMBER, new FunnelRequest(List.of(HOME, ORDERED), null, "device"));
    // desktop: d starts, no order; phone: m starts and orders.
    assertThat(result.breakdown()).extracting(FunnelResult.Segment::value).containsExactly("desktop", "phone");
    assertThat(result.breakdown().get(0).steps()).extracting(FunnelResult.Step::count).containsExactly(1L, 0L);
    assertThat(result.breakdown().get(1).steps()).extracting(FunnelResult.Step::count).containsExactly(1L, 1L);
  }

  @Test
  void anEmptyRangeAnswersZeros() throws Exception {
    FunnelResult result = Funnels.run(conn, NOVEMBER, new FunnelRequest(List.of(HOME, ORDERED), 30, "channel"));
    assertThat(result.steps()).extracting(FunnelResult.Step::count).containsExactly(0L, 0L);
    assertThat(result.steps().get(1).conversionFromPrevious()).isEqualTo(0.0);
    assertThat(result.breakdown()).isEmpty();
  }

  @Test
  void anEventThatFailsStepOnesFilterOrIsStepOneAgainCanBeALaterStep() throws Exception {
    // G: a cheap add 10:00, a dear add 10:01, a cheap add 10:02, an order 10:03. H: a dear add
    // 11:00, then a cheap one 11:01 (its only adds).
    data.track("g", "sg", "2026-11-10T10:00:00Z", "Product Added").properties("{\"price\": 5}").add();
    data.track("g", "sg", "2026-11-10T10:01:00Z", "Product Added").properties("{\"price\": 50}").add();
    data.track("g", "sg", "2026-11-10T10:02:00Z", "Product Added").properties("{\"price\": 5}").add();
    data.track("g", "sg", "2026-11-10T10:03:00Z", "Order Completed").add();
    data.track("h", "sh", "2026-11-10T11:00:00Z", "Product Added").properties("{\"price\": 50}").add();
    data.track("h", "sh", "2026-11-10T11:01:00Z", "Product Added").properties("{\"price\": 5}").add();
    FunnelStep cheapAdd = new FunnelStep(FunnelStep.Kind.EVENT, "Product Added",
        List.of(new PropertyFilter("price", PropertyFilter.Op.LT, "10")));

    // Cheap add → any add → order: G 10:00 → 10:01 → 10:03 (3 steps); H starts at 11:01 and has
    // no add after it (1 step). The dear add is a candidate for step 1 but only step 2.
    assertThat(counts(new FunnelRequest(List.of(cheapAdd, ADDED, ORDERED), null, null)))
        .containsExactly(2L, 1L, 1L);
    // The same step three times: G's three adds chain, H's two reach step 2; over 1 day the same.
    assertThat(counts(new FunnelRequest(List.of(ADDED, ADDED, ADDED), null, null))).containsExactly(2L, 2L, 1L);
    assertThat(counts(new FunnelRequest(List.of(ADDED, ADDED, ADDED), 1, null))).containsExactly(2L, 2L, 1L);
  }

  private void order(String person, String channel, String properties) throws Exception {
    data.page(person, "s-" + person, "2026-11-10T10:00:00Z", "/").channel(channel).add();
    data.track(person, "s-" + person, "2026-11-10T10:02:00Z", "Order Completed").channel("internal")
        .properties(properties).add();
  }

  private static FunnelStep ordered(PropertyFilter.Op op, String property, String value) {
    return new FunnelStep(FunnelStep.Kind.EVENT, "Order Completed", List.of(new PropertyFilter(property, op, value)));
  }

  private List<Long> counts(FunnelRequest request) throws Exception {
    return Funnels.run(conn, NOVEMBER, request).steps().stream().map(FunnelResult.Step::count).toList();
  }
}
