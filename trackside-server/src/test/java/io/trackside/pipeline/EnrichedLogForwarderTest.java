package io.trackside.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.destination.EnrichedLogRecords;
import io.trackside.log.EmbeddedEventLog;
import io.trackside.log.EmbeddedLogConfig;
import io.trackside.log.LogConsumer;
import io.trackside.log.StoredRecord;
import io.trackside.warehouse.LoggedEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enriched log gets each stored event once, even when the warehouse commit after the append fails or the process dies. */
class EnrichedLogForwarderTest {

  @TempDir
  Path dir;

  private EmbeddedEventLog open() throws Exception {
    return EmbeddedEventLog.open(EmbeddedLogConfig.defaults(dir).withPartitions(2), new SimpleMeterRegistry(),
        "test.enriched");
  }

  private static List<LoggedEvent> events(int partition, int fromOffset, int toOffset) {
    List<LoggedEvent> list = new ArrayList<>();
    for (int offset = fromOffset; offset < toOffset; offset++) {
      var event = PipelineEvents.event("web", PipelineEvents.track("a-" + offset, "Clicked", Instant.now()),
          Instant.now(), "192.0.2.1", PipelineEvents.CHROME_WINDOWS);
      list.add(new LoggedEvent(PipelineEvents.enriched(event), partition, offset));
    }
    return list;
  }

  private static List<Long> rawOffsets(EmbeddedEventLog log, int partition) throws Exception {
    List<Long> offsets = new ArrayList<>();
    try (LogConsumer consumer = log.consumer("check", List.of(partition))) {
      List<StoredRecord> records;
      while (!(records = consumer.poll(1000, Duration.ofMillis(100))).isEmpty()) {
        for (StoredRecord r : records) {
          assertEquals(partition, r.partition());
          offsets.add(EnrichedLogRecords.rawOffset(r.value()));
        }
      }
    }
    return offsets;
  }

  @Test
  void aBatchWrittenAgainAfterAFailedCommitOrARestartIsNotAppendedTwice() throws Exception {
    try (EmbeddedEventLog log = open()) {
      EnrichedLogForwarder forwarder = new EnrichedLogForwarder(log, 2);
      forwarder.accept(events(0, 0, 10));
      forwarder.accept(events(1, 0, 4));
      // The warehouse commit failed: the writer retries the same batch with the same forwarder.
      forwarder.accept(events(0, 0, 10));
    }
    try (EmbeddedEventLog log = open()) {
      // A crash before the commit: the new process reads the batch again, and more after it.
      EnrichedLogForwarder forwarder = new EnrichedLogForwarder(log, 2);
      forwarder.accept(events(0, 0, 15));
      forwarder.accept(events(1, 2, 6));
      List<Long> expected0 = new ArrayList<>();
      for (long i = 0; i < 15; i++) {
        expected0.add(i);
      }
      assertEquals(expected0, rawOffsets(log, 0));
      assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), rawOffsets(log, 1));
    }
  }
}
