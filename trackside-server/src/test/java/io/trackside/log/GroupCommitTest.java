package io.trackside.log;

import static io.trackside.log.LogFixture.all;
import static io.trackside.log.LogFixture.config;
import static io.trackside.log.LogFixture.open;
import static io.trackside.log.LogFixture.readExactly;
import static io.trackside.log.LogFixture.record;
import static io.trackside.log.LogFixture.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {
  @TempDir
  Path dir;

  @Test
  void concurrentAppendsShareFsyncs() throws Exception {
    int clients = 64;
    int appendsPerClient = 40;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (EmbeddedEventLog log = open(config(dir, 4), registry)) {
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        String key = "client-" + c;
        done.add(pool.submit(() -> {
          for (int i = 0; i < appendsPerClient; i++) {
            // Each client waits for its own append, like an HTTP handler answering a request.
            log.append(List.of(record(key, key + "-" + i))).get(10, TimeUnit.SECONDS);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();

      int appends = clients * appendsPerClient;
      DistributionSummary groups = registry.get("trackside.log.group.commit.records").summary();
      assertThat(groups.totalAmount()).isEqualTo(appends);
      assertThat(groups.count()).as("group commits (fsync rounds) for %d appends", appends)
          .isLessThan(appends / 4);
      assertThat(registry.get("trackside.log.fsync").timer().count()).isEqualTo(groups.count());
      assertThat(registry.get("trackside.log.appended.records").counter().count()).isEqualTo(appends);
      long total = 0;
      for (int p = 0; p < 4; p++) {
        total += log.endOffset(p);
      }
      assertThat(total).isEqualTo(appends);
    }
  }

  @Test
  void closeFinishesQueuedAppendsThenRefusesNewOnes() throws Exception {
    List<CompletableFuture<Void>> queued = new ArrayList<>();
    EmbeddedEventLog log = open(config(dir, 2));
    for (int i = 0; i < 300; i++) {
      queued.add(log.append(records("key-" + i, "q" + i, 0, 20, 200)));
    }
    log.close();

    for (CompletableFuture<Void> future : queued) {
      assertThat(future).as("appended before close").isCompletedWithValue(null);
    }
    CompletableFuture<Void> late = log.append(List.of(record("k", "late")));
    assertThatThrownBy(late::get).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(LogUnavailableException.class)
        .extracting(e -> ((LogUnavailableException) e).reason()).isEqualTo("closed");
    assertThat(log.problem()).isEqualTo("closed");

    try (EmbeddedEventLog reopened = open(config(dir, 2));
         LogConsumer consumer = reopened.consumer("reader", all(reopened))) {
      readExactly(consumer, 300 * 20);
    }
  }
}
