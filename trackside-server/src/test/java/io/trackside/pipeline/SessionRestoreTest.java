package io.trackside.pipeline;

import static io.trackside.pipeline.PipelineEvents.SAFARI_IPHONE;
import static io.trackside.pipeline.PipelineEvents.cookielessPage;
import static io.trackside.pipeline.PipelineEvents.event;
import static io.trackside.pipeline.PipelineEvents.page;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.EnrichedEvent;
import io.trackside.warehouse.DuckDbWarehouse;
import io.trackside.warehouse.LoggedEvent;
import io.trackside.warehouse.WarehouseBatch;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions and cookieless ids survive a restart: the next worker resumes from the warehouse and the salt files. */
class SessionRestoreTest {

  private static final String IP = "192.0.2.44";

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-06-02T07:00:00Z"));
  private DuckDbWarehouse warehouse;
  private Pipeline pipeline;
  private long offset;

  private void start() {
    warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), new SimpleMeterRegistry());
    DailySalts salts = DailySalts.open(dir.resolve("salts"), ZoneOffset.UTC, clock);
    pipeline = new StandardPipeline(PipelineConfig.defaults(), new StepTimings(new SimpleMeterRegistry()),
        ActiveTrackingPlan.none(), salts,
        warehouse).create(0);
  }

  private EnrichedEvent process(String json, Instant happened) throws Exception {
    Instant received = happened.plusSeconds(1);
    clock.set(received);
    EnrichedEvent e = pipeline.process(event("web", json, received, IP, SAFARI_IPHONE));
    warehouse.write(new WarehouseBatch("warehouse", List.of(new LoggedEvent(e, 0, offset)), List.of(),
        Map.of(0, ++offset)));
    return e;
  }

  private static Instant at(String hhmm) {
    return Instant.parse("2025-06-02T" + hhmm + ":00Z");
  }

  @Test
  void aWriterStartedOnPartitionsTakenOverContinuesTheSessionNumbersAnotherNodeStored() throws Exception {
    warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), new SimpleMeterRegistry());
    DailySalts salts = DailySalts.open(dir.resolve("salts"), ZoneOffset.UTC, clock);
    StandardPipeline nodeB = new StandardPipeline(PipelineConfig.defaults(), new StepTimings(new SimpleMeterRegistry()),
        ActiveTrackingPlan.none(), salts, warehouse);
    nodeB.writerStarting(); // node B's first writer, on its own partitions
    StandardPipeline nodeA = new StandardPipeline(PipelineConfig.defaults(), new StepTimings(new SimpleMeterRegistry()),
        ActiveTrackingPlan.none(), salts, warehouse);
    nodeA.writerStarting();
    pipeline = nodeA.create(0);
    process(page("v-moved", "https://shop.example/", at("07:00")), at("07:00"));
    assertThat(process(page("v-moved", "https://shop.example/", at("08:00")), at("08:00")).sessionNumber).isEqualTo(2);
    process(page("v-other", "https://shop.example/", at("11:00")), at("11:00")); // v-moved's sessions are over

    nodeB.writerStarting(); // node A died; B's new writer takes its partitions
    pipeline = nodeB.create(0);
    EnrichedEvent third = process(page("v-moved", "https://shop.example/", at("12:00")), at("12:00"));
    assertThat(third.sessionNumber).as("numbered after the two node A stored").isEqualTo(3);
    warehouse.close();
  }

  @Test
  void aRestartContinuesLiveSessionsNumbersAndCookielessIds() throws Exception {
    start();
    EnrichedEvent old1 = process(page("v-old", "https://shop.example/", at("07:00")), at("07:00"));
    EnrichedEvent old2 = process(page("v-old", "https://shop.example/", at("08:00")), at("08:00"));
    EnrichedEvent landing = process(page("v-live", "https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=x",
        at("10:00")), at("10:00"));
    EnrichedEvent cookieless = process(cookielessPage("https://shop.example/", at("10:02")), at("10:02"));
    process(page("v-live", "https://shop.example/p/1", at("10:10")), at("10:10"));
    assertThat(old2.sessionNumber).isEqualTo(2);
    assertThat(old1.sessionId).isNotEqualTo(old2.sessionId);
    warehouse.close();

    start(); // a new process: nothing in memory
    EnrichedEvent afterRestart = process(page("v-live", "https://shop.example/p/2", at("10:25")), at("10:25"));
    assertThat(afterRestart.sessionId).isEqualTo(landing.sessionId);
    assertThat(afterRestart.sessionNumber).isEqualTo(1);
    // The restored session knows its campaign: the same one continues it, another one cuts it.
    EnrichedEvent sameAd = process(page("v-live", "https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=x",
        at("10:26")), at("10:26"));
    assertThat(sameAd.sessionId).isEqualTo(landing.sessionId);
    EnrichedEvent newsletter = process(page("v-live", "https://shop.example/?utm_source=newsletter", at("10:27")),
        at("10:27"));
    assertThat(newsletter.sessionNumber).isEqualTo(2);

    EnrichedEvent cookielessAgain = process(cookielessPage("https://shop.example/cart", at("10:20")), at("10:20"));
    assertThat(cookielessAgain.visitorId).matches("[0-9a-f]{32}").isEqualTo(cookieless.visitorId);
    assertThat(cookielessAgain.sessionId).isEqualTo(cookieless.sessionId);

    // Not live any more, but its count was restored: the third session is number 3.
    EnrichedEvent oldReturns = process(page("v-old", "https://shop.example/", at("10:30")), at("10:30"));
    assertThat(oldReturns.sessionNumber).isEqualTo(3);
    warehouse.close();
  }
}
