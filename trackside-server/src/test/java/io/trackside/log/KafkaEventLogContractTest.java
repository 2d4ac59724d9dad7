package io.trackside.log;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared {@link EventLogContract} on a real Kafka broker (KRaft, started once for the class);
 * each test gets a topic of its own, so tests share the broker but not their records or groups'
 * positions.
 */
class KafkaEventLogContractTest extends EventLogContract {
  @TempDir
  static Path brokerDir;
  static KafkaBroker broker;
  private static final AtomicInteger topics = new AtomicInteger();

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.start(brokerDir);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Override
  protected EventLog newLog(int partitions) {
    return KafkaEventLog.open(KafkaLogConfig.defaults(broker.bootstrapServers())
        .withTopic("contract-" + topics.incrementAndGet()).withPartitions(partitions),
        new SimpleMeterRegistry());
  }
}
