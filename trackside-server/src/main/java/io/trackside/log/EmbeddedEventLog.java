package io.trackside.log;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event log on local disk: per partition a directory of append-only segment files, a CRC per
 * record, one writer thread doing group commit, and consumers reading only what is fsynced.
 *
 * <p>Layout: {@code dir/partition-N/<20-digit base offset>.seg}, {@code dir/consumers/<group>.offsets},
 * and {@code dir/.lock} so that two processes never write one log. See {@link RecordFormat}.
 *
 * <p>Futures returned by {@link #append} complete on the log's acknowledgement thread; keep their
 * callbacks short or hand off to your own executor.
 */
public final class EmbeddedEventLog implements EventLog {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedEventLog.class);
  private static final Pattern PARTITION_DIR = Pattern.compile("partition-(\\d+)");
  private static final long RETENTION_PERIOD_SECONDS = 30;

  private final EmbeddedLogConfig config;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final PartitionLog[] partitions;
  private final OffsetStore offsets;
  private final AtomicLong logSize;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AppendSignal signal = new AppendSignal();
  private final DiskSpaceGuard disk;
  private final LogMetrics metrics;
  private final LogWriter writer;
  private final Retention retention;
  private final ScheduledExecutorService maintenance;
  private volatile boolean closed;

  private EmbeddedEventLog(EmbeddedLogConfig config, FileChannel lockChannel, FileLock lock,
                           PartitionLog[] partitions, OffsetStore offsets, MeterRegistry registry, String metricPrefix,
                           Runnable onThreadStart) throws IOException {
    this.config = config;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.partitions = partitions;
    this.offsets = offsets;
    long size = 0;
    for (PartitionLog partition : partitions) {
      size += partition.sizeBytes();
    }
    this.logSize = new AtomicLong(size);
    this.disk = new DiskSpaceGuard(Files.getFileStore(config.dir()), config.minFreeDiskBytes());
    disk.refresh(size);
    this.metrics = new LogMetrics(registry, metricPrefix, logSize, queuedBytes);
    PartitionWriter[] writers = new PartitionWriter[partitions.length];
    for (int i = 0; i < partitions.length; i++) {
      writers[i] = new PartitionWriter(partitions[i], config.segmentBytes(), logSize);
    }
    this.writer = new LogWriter(writers, queuedBytes, logSize, signal, metrics, disk, metricPrefix.replace('.', '-'),
        onThreadStart);
    this.retention = new Retention(config, partitions, offsets, logSize, metrics);
    this.maintenance = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "trackside-log-maintenance");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Opens (recovering) or creates the log in {@code config.dir()} and starts its writer. */
  public static EmbeddedEventLog open(EmbeddedLogConfig config, MeterRegistry registry) throws IOException {
    return open(config, registry, "trackside.log");
  }

  /** Opens a log whose meters are named {@code <metricPrefix>.size.bytes} and so on (one process has two logs). */
  public static EmbeddedEventLog open(EmbeddedLogConfig config, MeterRegistry registry, String metricPrefix)
      throws IOException {
    return open(config, registry, metricPrefix, () -> { });
  }

  /**
   * As above; each of the log's writing threads (named after {@code metricPrefix}) runs
   * {@code onThreadStart} first — the enriched log's lower their priority like the pipeline that
   * feeds them, so that on a saturated machine they do not compete with the collector.
   */
  public static EmbeddedEventLog open(EmbeddedLogConfig config, MeterRegistry registry, String metricPrefix,
                                      Runnable onThreadStart) throws IOException {
    Objects.requireNonNull(registry, "registry");
    Path dir = config.dir();
    Files.createDirectories(dir);
    FileChannel lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IllegalStateException("event log " + dir + " is already open (in this or another process)");
    }
    try {
      checkPartitionCount(dir, config.partitions());
      PartitionLog[] partitions = new PartitionLog[config.partitions()];
      for (int i = 0; i < partitions.length; i++) {
        partitions[i] = PartitionLog.load(dir, i);
      }
      OffsetStore offsets = OffsetStore.load(dir.resolve("consumers"));
      EmbeddedEventLog eventLog = new EmbeddedEventLog(config, lockChannel, lock, partitions, offsets, registry, metricPrefix,
          onThreadStart);
      eventLog.start();
      return eventLog;
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    }
  }

  /** Fewer partitions than on disk would strand records; more would move keys to new partitions. */
  private static void checkPartitionCount(Path dir, int configured) throws IOException {
    int onDisk = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher matcher = PARTITION_DIR.matcher(file.getFileName().toString());
        if (matcher.matches() && Files.isDirectory(file)) {
          onDisk = Math.max(onDisk, Integer.parseInt(matcher.group(1)) + 1);
        }
      }
    }
    if (onDisk > configured) {
      throw new IllegalStateException("event log " + dir + " has " + onDisk + " partitions but " + configured
          + " are configured; reducing partitions is not supported");
    }
    if (onDisk > 0 && onDisk < configured) {
      log.warn("event log {} grows from {} to {} partitions: keys now map to other partitions, so a visitor's "
          + "new events may be read before their old ones", dir, onDisk, configured);
    }
  }

  private void start() {
    writer.start();
    maintenance.scheduleWithFixedDelay(() -> disk.refresh(logSize.get()), 1, 1, TimeUnit.SECONDS);
    maintenance.scheduleWithFixedDelay(this::retentionQuietly, 5, RETENTION_PERIOD_SECONDS, TimeUnit.SECONDS);
    long records = 0;
    for (PartitionLog partition : partitions) {
      records += partition.end().offset() - partition.startOffset();
    }
    log.info("event log {} open: {} partitions, {} records, {} bytes", config.dir(), partitions.length, records,
        logSize.get());
  }

  @Override
  public int partitions() {
    return partitions.length;
  }

  @Override
  public CompletableFuture<Void> append(List<LogRecord> records) {
    Objects.requireNonNull(records, "records");
    if (records.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    long bytes;
    try {
      bytes = LogRecord.checkedBytes(records, partitions(), r -> RecordFormat.sizeOf(r.value()));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    LogUnavailableException refusal = admit(bytes);
    if (refusal != null) {
      metrics.refused(refusal.reason(), records.size());
      return CompletableFuture.failedFuture(refusal);
    }
    // Copied (references only) so a caller reusing its list cannot change what the writer sees.
    PendingAppend append = new PendingAppend(List.copyOf(records), bytes, new CompletableFuture<>());
    if (!writer.submit(append)) {
      queuedBytes.addAndGet(-bytes);
      metrics.refused("closed", records.size());
      return CompletableFuture.failedFuture(closedException());
    }
    return append.future();
  }

  /** Decides, without waiting, whether an append may be queued; reserves its queue space if so. */
  private LogUnavailableException admit(long bytes) {
    if (closed) {
      return closedException();
    }
    long size = logSize.get();
    if (size + queuedBytes.get() + bytes > config.maxBytes()) {
      return new LogUnavailableException("log_full", String.format(
          "event log full: %d bytes of %d; consumers must catch up or retention must free space",
          size, config.maxBytes()), LogWriter.RETRY_AFTER_SECONDS);
    }
    if (disk.low(size)) {
      return new LogUnavailableException("disk_full", disk.describe(size), LogWriter.RETRY_AFTER_SECONDS);
    }
    while (true) {
      long queued = queuedBytes.get();
      if (queued + bytes > config.maxQueuedBytes()) {
        return new LogUnavailableException("queue_full", String.format(
            "event log append queue full: %d bytes queued, limit %d", queued, config.maxQueuedBytes()), 1);
      }
      if (queuedBytes.compareAndSet(queued, queued + bytes)) {
        return null;
      }
    }
  }

  private static LogUnavailableException closedException() {
    return new LogUnavailableException("closed", "event log is closed", LogWriter.RETRY_AFTER_SECONDS);
  }

  @Override
  public LogConsumer consumer(String group, Collection<Integer> partitions) {
    OffsetStore.checkGroupName(group);
    return new EmbeddedLogConsumer(this, group, new LinkedHashSet<>(partitions), this.partitions, offsets);
  }

  @Override
  public long endOffset(int partition) {
    return partition(partition).end().offset();
  }

  /** The first offset still on disk in a partition (older ones were deleted by retention). */
  public long startOffset(int partition) {
    return partition(partition).startOffset();
  }

  @Override
  public long committedOffset(String group, int partition) {
    partition(partition);
    return offsets.committed(group, partition);
  }

  @Override
  public boolean hasCommitted(String group) {
    return offsets.snapshot().containsKey(group);
  }

  @Override
  public boolean hasCommitted(String group, int partition) {
    partition(partition);
    return offsets.snapshot().getOrDefault(group, Map.of()).containsKey(partition);
  }

  PartitionLog partitionLog(int partition) {
    return partition(partition);
  }

  private PartitionLog partition(int partition) {
    if (partition < 0 || partition >= partitions.length) {
      throw new IllegalArgumentException("no partition " + partition + "; the log has " + partitions.length);
    }
    return partitions[partition];
  }

  @Override
  public long sizeBytes() {
    return logSize.get();
  }

  @Override
  public String problem() {
    if (closed) {
      return "closed";
    }
    String failure = writer.lastFailure();
    if (failure != null) {
      return failure;
    }
    long size = logSize.get();
    if (disk.low(size)) {
      return disk.describe(size);
    }
    if (size >= config.maxBytes()) {
      return String.format("event log full: %d bytes of %d", size, config.maxBytes());
    }
    return null;
  }

  /** Runs retention now (it also runs every 30 s); returns how many segments were deleted. */
  int runRetention() throws IOException {
    return retention.run(System.currentTimeMillis());
  }

  private void retentionQuietly() {
    try {
      retention.run(System.currentTimeMillis());
    } catch (IOException | RuntimeException e) {
      log.warn("event log retention failed; will retry", e);
    }
  }

  AppendSignal signal() {
    return signal;
  }

  OffsetStore offsets() {
    return offsets;
  }

  boolean isClosed() {
    return closed;
  }

  /** Refuses new appends, writes and fsyncs what is queued, then stops. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    writer.close();
    signal.fire(); // waiting consumers return
    maintenance.shutdown(); // not shutdownNow: an interrupt would close a channel retention is reading
    try {
      maintenance.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    metrics.close();
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      log.warn("could not release the lock of {}", config.dir(), e);
    }
    log.info("event log {} closed", config.dir());
  }
}
