package io.trackside.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * For {@code scale-out.sh}: the sum of a topic's end offsets (every record the brokers
 * acknowledged) and, with {@code sizes}, the average size of its first records (key + value),
 * which is the record size given to {@code kafka-producer-perf-test} for the comparison.
 *
 * <p>Usage: {@code TopicStats BOOTSTRAP TOPIC [sizes]}; prints {@code end_offsets N} and, with
 * {@code sizes}, {@code record_bytes B key_bytes K value_bytes V}.
 */
public final class TopicStats {
  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: TopicStats BOOTSTRAP TOPIC [sizes]");
      System.exit(2);
    }
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(args[1], Duration.ofSeconds(10))) {
        partitions.add(new TopicPartition(args[1], info.partition()));
      }
      long end = 0;
      for (Map.Entry<TopicPartition, Long> e : consumer.endOffsets(partitions, Duration.ofSeconds(10)).entrySet()) {
        end += e.getValue();
      }
      System.out.println("end_offsets " + end);
      if (args.length > 2 && args[2].equals("sizes")) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        long n = 0;
        long keys = 0;
        long values = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (n < 2_000 && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            n++;
            keys += r.key() == null ? 0 : r.key().length;
            values += r.value() == null ? 0 : r.value().length;
          }
        }
        if (n == 0) {
          throw new IllegalStateException("no record in " + args[1]);
        }
        System.out.printf("record_bytes %d key_bytes %d value_bytes %d sampled %d%n",
            Math.round((keys + values) / (double) n), Math.round(keys / (double) n),
            Math.round(values / (double) n), n);
      }
    }
  }
}
