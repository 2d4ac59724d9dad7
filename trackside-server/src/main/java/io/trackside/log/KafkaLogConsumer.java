package io.trackside.log;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;

/**
 * A member of a consumer group on the Kafka log: a {@code KafkaConsumer} assigned its partitions
 * by hand (no group rebalancing: Trackside decides who reads what), committing to Kafka under the
 * group's name so every node sees the same positions.
 *
 * <p>Kafka returns up to its own batch size per poll; what exceeds {@code maxRecords} waits here
 * for the next poll, and a seek drops what waits for that partition.
 */
final class KafkaLogConsumer implements LogConsumer {
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

  private final KafkaEventLog log;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Set<Integer> assigned;
  private final ArrayDeque<StoredRecord> waiting = new ArrayDeque<>();
  private boolean closed;

  KafkaLogConsumer(KafkaEventLog log, Properties properties, Set<Integer> assigned) {
    this.log = log;
    this.assigned = assigned;
    this.consumer = new KafkaConsumer<>(properties);
    List<TopicPartition> partitions = new ArrayList<>();
    for (int partition : assigned) {
      partitions.add(tp(partition));
    }
    consumer.assign(partitions);
  }

  @Override
  public List<StoredRecord> poll(int maxRecords, Duration timeout) throws InterruptedException {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be >= 1, was " + maxRecords);
    }
    checkOpen();
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before polling the event log");
    }
    if (log.isClosed()) {
      return List.of();
    }
    if (waiting.isEmpty() && !assigned.isEmpty()) {
      try {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
          waiting.add(new StoredRecord(record.partition(), record.offset(), record.timestamp(), record.value()));
        }
      } catch (InterruptException e) {
        Thread.interrupted(); // Kafka set the flag again; the checked exception carries it
        InterruptedException interrupted = new InterruptedException("interrupted while polling the event log");
        interrupted.initCause(e);
        throw interrupted;
      }
    } else if (assigned.isEmpty()) {
      Thread.sleep(timeout.toMillis());
    }
    List<StoredRecord> out = new ArrayList<>(Math.min(maxRecords, waiting.size()));
    while (out.size() < maxRecords && !waiting.isEmpty()) {
      out.add(waiting.poll());
    }
    return out;
  }

  @Override
  public void seek(int partition, long offset) {
    checkOpen();
    checkAssigned(partition);
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    waiting.removeIf(record -> record.partition() == partition);
    consumer.seek(tp(partition), offset);
  }

  @Override
  public void commit(Map<Integer, Long> nextOffsets) {
    checkOpen();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Map.Entry<Integer, Long> entry : nextOffsets.entrySet()) {
      checkAssigned(entry.getKey());
      if (entry.getValue() == null || entry.getValue() < 0) {
        throw new IllegalArgumentException("bad offset for partition " + entry.getKey() + ": " + entry.getValue());
      }
      offsets.put(tp(entry.getKey()), new OffsetAndMetadata(entry.getValue()));
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, COMMIT_TIMEOUT);
    } catch (InterruptException e) {
      throw new LogUnavailableException("closed", "interrupted while committing offsets", KafkaEventLog.RETRY_AFTER_SECONDS, e);
    } catch (KafkaException e) {
      throw new LogUnavailableException("broker_unavailable", "cannot commit offsets " + nextOffsets + " to Kafka: "
          + e.getMessage(), KafkaEventLog.RETRY_AFTER_SECONDS, e);
    }
  }

  private TopicPartition tp(int partition) {
    return new TopicPartition(log.topic(), partition);
  }

  private void checkAssigned(int partition) {
    if (!assigned.contains(partition)) {
      throw new IllegalArgumentException("partition " + partition + " is not assigned to this consumer: " + assigned);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("consumer closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    waiting.clear();
    consumer.close(Duration.ofSeconds(5));
  }
}
