package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.destination.EnrichedLogRecords;
import io.trackside.log.KafkaBroker;
import io.trackside.log.KafkaEventLog;
import io.trackside.log.KafkaLogConfig;
import io.trackside.log.LogConsumer;
import io.trackside.log.StoredRecord;
import io.trackside.warehouse.LoggedEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enriched log as a Kafka topic shared by the nodes: a node that takes a partition over after
 * another appended to it (and died before its warehouse commit, so the warehouse hands the same
 * events to the new owner) appends each raw offset once.
 */
class KafkaEnrichedLogForwarderTest {

  @TempDir
  Path dir;

  private static List<LoggedEvent> events(int partition, int fromOffset, int toOffset) {
    List<LoggedEvent> list = new ArrayList<>();
    for (int offset = fromOffset; offset < toOffset; offset++) {
      var event = PipelineEvents.event("web", PipelineEvents.track("a-" + offset, "Clicked", Instant.now()),
          Instant.now(), "192.0.2.1", PipelineEvents.CHROME_WINDOWS);
      list.add(new LoggedEvent(PipelineEvents.enriched(event), partition, offset));
    }
    return list;
  }

  private static List<Long> rawOffsets(KafkaEventLog log, int partition) throws Exception {
    List<Long> offsets = new ArrayList<>();
    try (LogConsumer consumer = log.consumer("check", List.of(partition))) {
      consumer.seek(partition, 0);
      long end = log.endOffset(partition);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (offsets.size() < end && System.nanoTime() < deadline) {
        for (StoredRecord r : consumer.poll(1000, Duration.ofMillis(200))) {
          offsets.add(EnrichedLogRecords.rawOffset(r.value()));
        }
      }
    }
    return offsets;
  }

  private static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  @Test
  void aNodeThatTakesAPartitionOverSkipsWhatTheOldOwnerAppendedBeforeItDied() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"))) {
      KafkaLogConfig topic = KafkaLogConfig.defaults(broker.bootstrapServers()).withTopic("t-enriched")
          .withPartitions(2);
      try (KafkaEventLog onA = KafkaEventLog.open(topic, new SimpleMeterRegistry(), "a.enriched");
           KafkaEventLog onB = KafkaEventLog.open(topic, new SimpleMeterRegistry(), "b.enriched")) {
        // Both nodes start with the topic empty; A owns partition 0 first, B owns partition 1.
        EnrichedLogForwarder a = new EnrichedLogForwarder(onA, 2);
        EnrichedLogForwarder b = new EnrichedLogForwarder(onB, 2);
        a.accept(events(0, 0, 5)); // committed in the warehouse
        b.accept(events(1, 0, 3));
        a.accept(events(0, 5, 12)); // appended, then A dies before its warehouse commit

        // B takes partition 0 over; the warehouse's position there is 5, so B reads 5.. again.
        b.reacquired(Set.of(0, 1));
        b.accept(events(0, 5, 20));
        b.accept(events(1, 3, 6));
        // A comes back and gets partition 0 again, whose tail B moved meanwhile.
        a.reacquired(Set.of(0));
        a.accept(events(0, 18, 25));

        assertThat(rawOffsets(onB, 0)).as("each raw offset of partition 0 once, in order").isEqualTo(range(0, 25));
        assertThat(rawOffsets(onB, 1)).isEqualTo(range(0, 6));
      }
    }
  }
}
