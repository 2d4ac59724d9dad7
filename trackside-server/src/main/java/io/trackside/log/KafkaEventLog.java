package io.trackside.log;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log on a Kafka topic, for nodes that share one log ({@code log.type: kafka}).
 *
 * <p>Appends go through one idempotent producer with {@code acks=all}: an append's future completes
 * only when the brokers acknowledged every record, so the collector's 200 still means stored.
 * Consumers are plain {@code KafkaConsumer}s with manual assignment; their commits are Kafka
 * offsets under the group's name, so every node sees the same positions. End and committed
 * offsets are read through an admin client.
 *
 * <p>When the brokers cannot be reached, appends fail at once (a probe asks the cluster every
 * second) or after {@link KafkaLogConfig#appendTimeout()}; the bytes waiting for an
 * acknowledgement are bounded by {@link KafkaLogConfig#maxInFlightBytes()}, so an outage turns
 * into 503s, never into a growing heap or a blocked event loop.
 */
public final class KafkaEventLog implements EventLog {
  private static final Logger log = LoggerFactory.getLogger(KafkaEventLog.class);
  static final int RETRY_AFTER_SECONDS = 5;
  /** Admin calls (offsets, the probe) give up after this; they run off the event loop but block a caller. */
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);
  private static final long PROBE_PERIOD_MILLIS = 1000;
  private static final int SIZE_EVERY_PROBES = 10;

  private final KafkaLogConfig config;
  private final int partitions;
  private final Admin admin;
  private final KafkaProducer<byte[], byte[]> producer;
  private final AtomicLong inFlightBytes = new AtomicLong();
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final AtomicLong sizeBytes = new AtomicLong();
  private final ScheduledExecutorService probe;
  /** The embedded log's meters (trackside_log_*), so dashboards work whichever log runs; no fsync here. */
  private final LogMetrics metrics;
  private final java.util.concurrent.ExecutorService sender;
  private int probes;
  /** What the probe found wrong with the cluster, or null; appends are refused while it is set. */
  private volatile String unreachable;
  /** The last failed send, cleared by the next success: a reachable cluster can still refuse (too few replicas). */
  private volatile String sendFailure;
  private volatile boolean closed;

  private KafkaEventLog(KafkaLogConfig config, int partitions, Admin admin, KafkaProducer<byte[], byte[]> producer,
                        MeterRegistry registry, String metricPrefix) {
    this.config = config;
    this.metrics = new LogMetrics(registry, metricPrefix, sizeBytes, inFlightBytes);
    this.partitions = partitions;
    this.admin = admin;
    this.producer = producer;
    this.sender = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "trackside-kafka-sender");
      thread.setDaemon(true);
      return thread;
    });
    this.probe = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "trackside-kafka-probe");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Connects, creates the topic if it is missing, and starts the health probe. Fails (rather than
   * starting a node that can store nothing) when no broker answers within the append timeout.
   */
  public static KafkaEventLog open(KafkaLogConfig config, MeterRegistry registry) {
    return open(config, registry, "trackside.log");
  }

  /**
   * As {@link #open(KafkaLogConfig, MeterRegistry)}, for a second log in the same process (the
   * enriched log for destinations): its meters are named {@code metricPrefix.*}.
   */
  public static KafkaEventLog open(KafkaLogConfig config, MeterRegistry registry, String metricPrefix) {
    Objects.requireNonNull(registry, "registry");
    Admin admin = Admin.create(adminProperties(config));
    KafkaProducer<byte[], byte[]> producer = null;
    try {
      long deadline = System.nanoTime() + config.appendTimeout().toNanos();
      int partitions = ensureTopic(admin, config, deadline);
      producer = new KafkaProducer<>(producerProperties(config, metricPrefix));
      warmMetadata(producer, config, deadline);
      KafkaEventLog eventLog = new KafkaEventLog(config, partitions, admin, producer, registry, metricPrefix);
      eventLog.probeOnce();
      eventLog.probe.scheduleWithFixedDelay(eventLog::probeOnce, PROBE_PERIOD_MILLIS, PROBE_PERIOD_MILLIS,
          TimeUnit.MILLISECONDS);
      log.info("event log on Kafka {} topic {}: {} partitions", config.bootstrapServers(), config.topic(), partitions);
      return eventLog;
    } catch (RuntimeException e) {
      if (producer != null) {
        producer.close(Duration.ZERO);
      }
      admin.close(Duration.ZERO);
      throw e;
    }
  }

  private static Properties adminProperties(KafkaLogConfig config) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "trackside-log-admin");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
    return props;
  }

  private static Properties producerProperties(KafkaLogConfig config, String metricPrefix) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    // Distinct per log: two producers with one client id clash in the client's JMX metrics.
    props.put(ProducerConfig.CLIENT_ID_CONFIG, metricPrefix.replace('.', '-') + "-producer");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    // Durable and in order: every in-sync replica has the record, and retries never duplicate or reorder.
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // 1 ms, not Kafka's 5: a collector request waits for its own append, so linger is added to
    // every answer; measured here, 64 one-record appenders made 42k records/s at 1 ms, 10k at 5 ms.
    props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // Our own in-flight limit trips first, so send() never waits for buffer space on the event loop.
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2 * config.maxInFlightBytes());
    // send() only waits for topic metadata, which open() fetched; a backstop, not a queue.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
    int delivery = (int) config.appendTimeout().toMillis();
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, delivery * 2 / 3);
    props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    return props;
  }

  Properties consumerProperties(String group) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    // Positions move only by commit(), after the sink has stored what it read (at-least-once).
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A group that never committed starts at the beginning, as committedOffset() = 0 says.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    return props;
  }

  /** The topic's partition count, creating the topic first if it does not exist. */
  private static int ensureTopic(Admin admin, KafkaLogConfig config, long deadline) {
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        TopicDescription topic = admin.describeTopics(List.of(config.topic())).allTopicNames()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(config.topic());
        int existing = topic.partitions().size();
        if (existing != config.partitions()) {
          // Kept as it is: changing a topic's partitions moves keys, which is the operator's decision.
          log.warn("Kafka topic {} has {} partitions, not the {} configured; using {}", config.topic(), existing,
              config.partitions(), existing);
        }
        return existing;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          createTopic(admin, config);
          continue;
        }
        last = new IllegalStateException(e.getCause().getMessage(), e.getCause());
        if (!(e.getCause() instanceof RetriableException)) {
          throw last;
        }
      } catch (TimeoutException e) {
        last = new IllegalStateException("no answer within " + ADMIN_TIMEOUT.toSeconds() + " s", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while connecting to Kafka", e);
      }
      sleepQuietly(200);
    }
    throw new IllegalStateException("cannot reach Kafka at " + config.bootstrapServers() + " within "
        + config.appendTimeout().toSeconds() + " s" + (last == null ? "" : ": " + last.getMessage()), last);
  }

  private static void createTopic(Admin admin, KafkaLogConfig config) {
    // One replica may be down and appends still succeed; with one replica, one is all there is.
    int minInSync = Math.max(1, config.replication() - 1);
    NewTopic topic = new NewTopic(config.topic(), config.partitions(), config.replication())
        .configs(Map.of("min.insync.replicas", Integer.toString(minInSync)));
    try {
      admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      log.info("created Kafka topic {}: {} partitions, replication {}, min.insync.replicas {}", config.topic(),
          config.partitions(), config.replication(), minInSync);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) { // another node was first: fine
        throw new IllegalStateException("cannot create Kafka topic " + config.topic() + ": "
            + e.getCause().getMessage(), e.getCause());
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("creating Kafka topic " + config.topic() + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Kafka topic " + config.topic(), e);
    }
  }

  /** Fetches the topic's metadata now, so that send() on the event loop does not wait for it. */
  private static void warmMetadata(KafkaProducer<byte[], byte[]> producer, KafkaLogConfig config, long deadline) {
    while (true) {
      try {
        producer.partitionsFor(config.topic());
        return;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no metadata for Kafka topic " + config.topic() + " from "
              + config.bootstrapServers(), e);
        }
      }
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to Kafka", e);
    }
  }

  @Override
  public int partitions() {
    return partitions;
  }

  String topic() {
    return config.topic();
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public CompletableFuture<Void> append(List<LogRecord> records) {
    Objects.requireNonNull(records, "records");
    if (records.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    long bytes;
    try {
      bytes = LogRecord.checkedBytes(records, partitions, KafkaEventLog::sizeOf);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    LogUnavailableException refusal = admit(bytes);
    if (refusal != null) {
      metrics.refused(refusal.reason(), records.size());
      return CompletableFuture.failedFuture(refusal);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    List<LogRecord> copy = List.copyOf(records);
    try {
      sender.execute(() -> send(copy, done));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      inFlightBytes.addAndGet(-bytes);
      metrics.refused("closed", records.size());
      return CompletableFuture.failedFuture(new LogUnavailableException("closed", "event log is closed",
          RETRY_AFTER_SECONDS));
    }
    int count = records.size();
    long appendedBytes = bytes;
    return done.whenComplete((ok, failure) -> {
      if (failure == null) {
        metrics.appendedRecords.increment(count);
        metrics.appendedBytes.increment(appendedBytes);
      } else if (failure instanceof LogUnavailableException unavailable) {
        metrics.refused(unavailable.reason(), count);
      }
    });
  }

  /**
   * Hands the records to the producer, on the sender thread: {@code send()} can wait up to
   * {@code max.block.ms} for metadata (a broker going away drops it), and that wait must never
   * be the caller's (an event loop). One thread keeps the order of appends.
   */
  private void send(List<LogRecord> records, CompletableFuture<Void> done) {
    AtomicInteger pending = new AtomicInteger(records.size());
    for (int i = 0; i < records.size(); i++) {
      LogRecord record = records.get(i);
      long size = sizeOf(record);
      byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
      ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(config.topic(), partitionOf(record),
          record.timestampMillis(), key, record.value());
      try {
        // The callback runs on the producer's I/O thread: it only counts and completes.
        producer.send(out, (metadata, failure) -> {
          inFlightBytes.addAndGet(-size);
          if (failure != null) {
            sendFailure = "Kafka at " + config.bootstrapServers() + ": append failed: " + failure;
            done.completeExceptionally(unavailable(failure));
          } else {
            sendFailure = null;
            if (pending.decrementAndGet() == 0) {
              done.complete(null);
            }
          }
        });
      } catch (RuntimeException e) {
        // Records before this one may still be stored: the client retries, messageId dedupes.
        for (int j = i; j < records.size(); j++) {
          inFlightBytes.addAndGet(-sizeOf(records.get(j)));
        }
        done.completeExceptionally(unavailable(e));
        return;
      }
    }
  }

  /** Same placement as the embedded log: an explicit partition, else the key's hash, else round robin. */
  private int partitionOf(LogRecord record) {
    if (record.partition() >= 0) {
      return record.partition();
    }
    if (record.key() == null) {
      return Math.floorMod(roundRobin.getAndIncrement(), partitions);
    }
    return (record.key().hashCode() & 0x7fffffff) % partitions;
  }

  private static long sizeOf(LogRecord record) {
    // Roughly what the producer buffers: value, key and a record header.
    return record.value().length + (record.key() == null ? 0 : record.key().length() * 3L) + 70;
  }

  /** Decides without waiting whether an append may be sent; reserves its bytes if so. */
  private LogUnavailableException admit(long bytes) {
    if (closed) {
      return new LogUnavailableException("closed", "event log is closed", RETRY_AFTER_SECONDS);
    }
    String down = unreachable;
    if (down != null) {
      return new LogUnavailableException("broker_unavailable", down, RETRY_AFTER_SECONDS);
    }
    while (true) {
      long now = inFlightBytes.get();
      if (now + bytes > config.maxInFlightBytes()) {
        return new LogUnavailableException("queue_full", String.format(
            "Kafka append queue full: %d bytes wait for the brokers, limit %d", now, config.maxInFlightBytes()), 1);
      }
      if (inFlightBytes.compareAndSet(now, now + bytes)) {
        return null;
      }
    }
  }

  private LogUnavailableException unavailable(Throwable failure) {
    boolean transient_ = failure instanceof RetriableException || failure instanceof org.apache.kafka.common.errors.InterruptException;
    return new LogUnavailableException(transient_ ? "broker_unavailable" : "kafka_error",
        "Kafka at " + config.bootstrapServers() + " did not store the events: " + failure.getMessage(),
        RETRY_AFTER_SECONDS, failure);
  }

  @Override
  public LogConsumer consumer(String group, Collection<Integer> assigned) {
    Objects.requireNonNull(group, "group");
    if (group.isBlank()) {
      throw new IllegalArgumentException("consumer group name must not be blank");
    }
    for (int partition : assigned) {
      checkPartition(partition);
    }
    return new KafkaLogConsumer(this, consumerProperties(group), new LinkedHashSet<>(assigned));
  }

  @Override
  public long endOffset(int partition) {
    checkPartition(partition);
    TopicPartition tp = new TopicPartition(config.topic(), partition);
    // The high watermark: what every in-sync replica has, so what acks=all appends have returned.
    return await(admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
        new ListOffsetsOptions().timeoutMs((int) ADMIN_TIMEOUT.toMillis())).partitionResult(tp), "end offsets").offset();
  }

  @Override
  public long committedOffset(String group, int partition) {
    checkPartition(partition);
    Long offset = committed(group).get(partition);
    return offset == null ? 0 : offset;
  }

  @Override
  public boolean hasCommitted(String group) {
    return !committed(group).isEmpty();
  }

  @Override
  public boolean hasCommitted(String group, int partition) {
    checkPartition(partition);
    return committed(group).containsKey(partition);
  }

  /** The group's committed next-offsets on this topic, by partition. */
  private Map<Integer, Long> committed(String group) {
    Map<TopicPartition, OffsetAndMetadata> all;
    try {
      all = await(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(), "committed offsets");
    } catch (LogUnavailableException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Map.of();
      }
      throw e;
    }
    Map<Integer, Long> out = new HashMap<>();
    all.forEach((tp, offset) -> {
      if (offset != null && tp.topic().equals(config.topic())) {
        out.put(tp.partition(), offset.offset());
      }
    });
    return out;
  }

  private <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
    try {
      return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new LogUnavailableException("broker_unavailable", "cannot read " + what + " from Kafka at "
          + config.bootstrapServers() + ": " + e.getCause().getMessage(), RETRY_AFTER_SECONDS, e.getCause());
    } catch (TimeoutException e) {
      throw new LogUnavailableException("broker_unavailable", "no answer from Kafka at " + config.bootstrapServers()
          + " for " + what + " within " + ADMIN_TIMEOUT.toSeconds() + " s", RETRY_AFTER_SECONDS, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LogUnavailableException("closed", "interrupted while reading " + what, RETRY_AFTER_SECONDS, e);
    }
  }

  private void checkPartition(int partition) {
    if (partition < 0 || partition >= partitions) {
      throw new IllegalArgumentException("no partition " + partition + "; the log has " + partitions);
    }
  }

  /** Bytes of the topic on the brokers' disks, every replica counted; refreshed every few seconds. */
  @Override
  public long sizeBytes() {
    return sizeBytes.get();
  }

  @Override
  public String problem() {
    if (closed) {
      return "closed";
    }
    String down = unreachable;
    return down != null ? down : sendFailure;
  }

  /** Asks the cluster for its brokers (and now and then the topic's size); sets or clears {@link #unreachable}. */
  private void probeOnce() {
    try {
      Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes()
          .get(4, TimeUnit.SECONDS);
      if (nodes.isEmpty()) {
        markUnreachable("Kafka at " + config.bootstrapServers() + " reports no brokers");
        return;
      }
      if (probes++ % SIZE_EVERY_PROBES == 0) {
        refreshSize(nodes);
      }
      if (unreachable != null) {
        log.info("Kafka at {} is reachable again", config.bootstrapServers());
        sendFailure = null; // failures of the outage; a new one sets it again
      }
      unreachable = null;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      markUnreachable("Kafka at " + config.bootstrapServers() + " cannot be reached: " + cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("Kafka health probe failed", e);
    }
  }

  private void markUnreachable(String why) {
    if (unreachable == null) {
      log.warn("{}; appends are refused (503) until it answers", why);
    }
    unreachable = why;
  }

  private void refreshSize(Collection<Node> nodes) throws ExecutionException, TimeoutException, InterruptedException {
    List<Integer> ids = new ArrayList<>();
    nodes.forEach(node -> ids.add(node.id()));
    Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(ids).allDescriptions()
        .get(4, TimeUnit.SECONDS);
    long total = 0;
    for (Map<String, LogDirDescription> byDir : dirs.values()) {
      for (LogDirDescription dir : byDir.values()) {
        for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
          if (replica.getKey().topic().equals(config.topic())) {
            total += replica.getValue().size();
          }
        }
      }
    }
    sizeBytes.set(total);
  }

  /** Refuses new appends, waits (bounded) for those sent to be acknowledged, then disconnects. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    probe.shutdownNow();
    sender.shutdown(); // what was accepted is still handed to the producer, which flushes it on close
    try {
      if (!sender.awaitTermination(config.appendTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("appends still waiting for Kafka metadata at close; they fail");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(config.appendTimeout());
    admin.close(Duration.ofSeconds(5));
    metrics.close();
    log.info("event log on Kafka topic {} closed", config.topic());
  }
}
