package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trackside.core.ReceivedEvent;
import io.trackside.log.InMemoryEventLog;
import io.trackside.log.LogRecord;
import io.trackside.warehouse.DeletionResult;
import io.trackside.warehouse.DuckDbWarehouse;
import io.trackside.warehouse.Sql;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deletion while two workers write a steady stream that keeps bringing the person's events
 * (during the deletion and after it): every event of theirs is either deleted or dropped — none
 * survives — and nobody else's is touched, nor does any write fail.
 */
class DeletionUnderLoadTest {

  private static final int PARTITIONS = 4;
  private static final int BATCHES = 60;
  private static final int PER_BATCH = 200;
  /** Batches appended only once the deletion has returned: their events of the person must be dropped. */
  private static final int TAIL_BATCHES = 5;

  @TempDir
  Path dir;

  @Test
  void everyEventOfThePersonIsDeletedOrDroppedAndNothingElseIsLost() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    InMemoryEventLog log = new InMemoryEventLog(PARTITIONS);
    DuckDbWarehouse warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), registry);
    StandardPipeline pipelines = new StandardPipeline(PipelineConfig.defaults(), new StepTimings(registry), ActiveTrackingPlan.none(),
        DailySalts.open(dir.resolve("salts"), ZoneOffset.UTC, Clock.systemUTC()), warehouse);
    WarehouseWriter writer = new WarehouseWriter(log, warehouse, pipelines, registry,
        WarehouseWriter.Config.defaults().withWorkers(2).withLinger(Duration.ofMillis(10)));
    writer.start();
    AtomicInteger target = new AtomicInteger();
    AtomicInteger others = new AtomicInteger();
    CountDownLatch halfway = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    CountDownLatch deletionDone = new CountDownLatch(1);
    AtomicReference<Throwable> appendFailure = new AtomicReference<>();
    Thread producer = new Thread(() -> {
      try {
        for (int b = 0; b < BATCHES; b++) {
          List<LogRecord> records = new ArrayList<>();
          for (int i = 0; i < PER_BATCH; i++) {
            int n = b * PER_BATCH + i;
            String json;
            String key;
            if (n % 10 == 0) { // the person: laptop identify, anonymous page, server-side order, phone identify
              target.incrementAndGet();
              json = switch ((n / 10) % 4) {
                case 0 -> event("identify", "\"anonymousId\":\"t-laptop\",\"userId\":\"t-user\"");
                case 1 -> event("page", "\"anonymousId\":\"t-laptop\"");
                case 2 -> event("track", "\"userId\":\"t-user\",\"event\":\"Order Completed\"");
                default -> event("identify", "\"anonymousId\":\"t-phone-" + (n / 40) + "\",\"userId\":\"t-user\"");
              };
              key = json.contains("t-laptop") ? "t-laptop" : json.contains("t-phone") ? "t-phone-" + (n / 40) : "t-user";
            } else {
              others.incrementAndGet();
              String visitor = "v-" + (n % 53);
              json = n % 7 == 0
                  ? event("identify", "\"anonymousId\":\"" + visitor + "\",\"userId\":\"user-" + (n % 53) + "\"")
                  : event("page", "\"anonymousId\":\"" + visitor + "\"");
              key = visitor;
            }
            ReceivedEvent received = new ReceivedEvent(System.currentTimeMillis(), "web", "203.0.113.9",
                PipelineEvents.CHROME_WINDOWS, null, null, json.getBytes(StandardCharsets.UTF_8));
            records.add(new LogRecord(key, received.receivedAtMillis(), received.encode()));
          }
          log.append(records).join();
          if (b == BATCHES / 2) {
            halfway.countDown();
            resume.await(); // until some of the person's events are stored (the pipeline may still be warming up)
          }
          if (b == BATCHES - TAIL_BATCHES - 1) {
            deletionDone.await(); // the tail comes after the deletion, however fast the rest was stored
          }
          Thread.sleep(5);
        }
      } catch (Throwable t) {
        appendFailure.set(t);
      }
    }, "producer");
    producer.setDaemon(true); // never holds the test JVM if the wait for stored events fails
    producer.start();
    try {
      halfway.await();
      await(() -> Sql.count(warehouse, "SELECT count(*) FROM events WHERE user_id = 't-user'") > 0);
      resume.countDown(); // the second half is appended while the deletion runs
      DeletionResult result = warehouse.deletePerson("t-user", null, "admin");
      deletionDone.countDown();
      producer.join();
      assertThat(appendFailure.get()).isNull();
      await(() -> TracksideLag.of(log) == 0);

      long deleted = result.events();
      double dropped = registry.counter("trackside.pipeline.dropped", "reason", "suppressed").count();
      assertThat(deleted).as("deleted before the deletion finished").isPositive();
      assertThat(dropped).as("dropped after").isPositive();
      assertThat(deleted + (long) dropped).isEqualTo(target.get());
      assertThat(Sql.count(warehouse, "SELECT count(*) FROM events WHERE user_id = 't-user'"
          + " OR anonymous_id = 't-laptop' OR anonymous_id LIKE 't-phone-%'")).isZero();
      assertThat(Sql.count(warehouse, "SELECT count(*) FROM identities WHERE user_id = 't-user'")).isZero();
      assertThat(Sql.count(warehouse, "SELECT count(*) FROM events")).isEqualTo(others.get());
      assertThat(Sql.count(warehouse, "SELECT count(*) FROM identities")).isEqualTo(53);
      assertThat(registry.counter("trackside.warehouse.write.failures").count()).isZero();
      assertThat(writer.check()).isNull();
    } finally {
      writer.stop();
      warehouse.close();
      log.close();
    }
  }

  private static String event(String type, String ids) {
    return "{\"type\":\"" + type + "\",\"messageId\":\"" + UUID.randomUUID() + "\"," + ids + ",\"timestamp\":\""
        + Instant.now() + "\"}";
  }

  /** Records the warehouse workers have not committed yet. */
  private static final class TracksideLag {
    static long of(InMemoryEventLog log) {
      long lag = 0;
      for (int p = 0; p < PARTITIONS; p++) {
        lag += log.endOffset(p) - log.committedOffset(WarehouseWriter.GROUP, p);
      }
      return lag;
    }
  }

  private static void await(WarehouseWriterTest.Await.Condition condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 60 s");
      }
      Thread.sleep(20);
    }
  }
}
