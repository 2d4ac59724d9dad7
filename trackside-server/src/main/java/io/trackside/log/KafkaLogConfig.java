package io.trackside.log;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the event log on Kafka ({@code log.type: kafka}).
 *
 * @param bootstrapServers  {@code host:port,...} of the brokers
 * @param topic             the topic of received events; created on start if missing
 * @param partitions        partitions when the topic is created (an existing topic keeps its own)
 * @param replication       replicas per partition when the topic is created; {@code min.insync.replicas}
 *                          is set to one less (at least 1), so {@code acks=all} survives one broker down
 * @param maxInFlightBytes  bytes sent but not yet acknowledged; beyond it appends are refused (503)
 *                          instead of piling up in the producer
 * @param appendTimeout     how long an append may wait for the brokers before it fails (503)
 */
public record KafkaLogConfig(String bootstrapServers, String topic, int partitions, short replication,
                             long maxInFlightBytes, Duration appendTimeout) {

  public static final String DEFAULT_TOPIC = "trackside-events";

  public KafkaLogConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(appendTimeout, "appendTimeout");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrap-servers must name at least one broker (host:port)");
    }
    if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw new IllegalArgumentException("topic must be 1-249 of a-z A-Z 0-9 . _ -, got '" + topic + "'");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    if (replication < 1) {
      throw new IllegalArgumentException("replication must be >= 1, was " + replication);
    }
    if (maxInFlightBytes < 1024 * 1024) {
      throw new IllegalArgumentException("max in-flight bytes must be >= 1MB, was " + maxInFlightBytes);
    }
    if (appendTimeout.compareTo(Duration.ofSeconds(2)) < 0) {
      throw new IllegalArgumentException("append timeout must be >= 2s, was " + appendTimeout);
    }
  }

  public static KafkaLogConfig defaults(String bootstrapServers) {
    return new KafkaLogConfig(bootstrapServers, DEFAULT_TOPIC, 4, (short) 1, 64L * 1024 * 1024,
        Duration.ofSeconds(15));
  }

  public KafkaLogConfig withTopic(String value) {
    return new KafkaLogConfig(bootstrapServers, value, partitions, replication, maxInFlightBytes, appendTimeout);
  }

  public KafkaLogConfig withPartitions(int value) {
    return new KafkaLogConfig(bootstrapServers, topic, value, replication, maxInFlightBytes, appendTimeout);
  }

  public KafkaLogConfig withReplication(short value) {
    return new KafkaLogConfig(bootstrapServers, topic, partitions, value, maxInFlightBytes, appendTimeout);
  }

  public KafkaLogConfig withMaxInFlightBytes(long value) {
    return new KafkaLogConfig(bootstrapServers, topic, partitions, replication, value, appendTimeout);
  }

  public KafkaLogConfig withAppendTimeout(Duration value) {
    return new KafkaLogConfig(bootstrapServers, topic, partitions, replication, maxInFlightBytes, value);
  }
}
