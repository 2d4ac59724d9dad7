package io.trackside.pipeline;

import static io.trackside.pipeline.UserAgents.CHROME_WINDOWS;
import static io.trackside.pipeline.UserAgents.page;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.ReceivedEvent;
import io.trackside.log.InMemoryEventLog;
import io.trackside.log.LogRecord;
import io.trackside.warehouse.DuckDbWarehouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker stopped while its first events wait for the user-agent analyzer writes nothing and
 * commits nothing: the events are read again, whole, by the next start — not stored unparsed.
 */
class StopDuringWarmUpTest {

  @TempDir
  Path dir;

  @Test
  void theBatchWaitingForTheAnalyzerStaysInTheLog() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    InMemoryEventLog log = new InMemoryEventLog(1);
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ReceivedEvent e = new ReceivedEvent(System.currentTimeMillis(), "web", "203.0.113.7", null, null, null,
          page("v-" + i, "2026-05-01T10:00:00Z", CHROME_WINDOWS).getBytes(StandardCharsets.UTF_8));
      records.add(new LogRecord("v-" + i, e.receivedAtMillis(), e.encode()));
    }
    log.append(records).join();
    CountDownLatch never = new CountDownLatch(1);
    UserAgentParser warmingUp = UserAgentParser.startBuilding(10, () -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("not built");
    });
    StepTimings timings = new StepTimings(registry);
    Pipeline.Factory pipelines = worker -> new Pipeline(List.of(new PageFields(), new DeviceFields(warmingUp)), timings);
    WarehouseWriter.Config defaults = WarehouseWriter.Config.defaults();
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"), registry)) {
      WarehouseWriter writer = new WarehouseWriter(log, warehouse, pipelines, registry, new WarehouseWriter.Config(
          1, 1000, defaults.pollTimeout(), defaults.maxBackoff(), Duration.ofMillis(500), Duration.ZERO));
      writer.start();
      Thread.sleep(500); // the worker has its batch and waits in the device step

      long started = System.nanoTime();
      writer.stop();

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      assertThat(warehouse.countEvents()).isZero();
      assertThat(warehouse.recentQuarantine(10)).as("nothing quarantined as step_failed").isEmpty();
      assertThat(warehouse.positions(WarehouseWriter.GROUP)).isEmpty();
      assertThat(log.committedOffset(WarehouseWriter.GROUP, 0)).isZero();
      assertThat(writer.check()).as("a stop is no failure").isNull();
    } finally {
      never.countDown();
      log.close();
    }
  }
}
