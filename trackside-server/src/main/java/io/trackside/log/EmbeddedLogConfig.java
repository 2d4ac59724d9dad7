package io.trackside.log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link EmbeddedEventLog}.
 *
 * @param dir where partitions and consumer offsets live
 * @param partitions number of partitions; keys are spread over them, so changing it later moves keys
 * @param segmentBytes a partition rolls to a new segment file once the active one would exceed this
 * @param retentionAge closed segments whose newest record is older than this are deleted, consumed or not
 * @param retentionBytes above this total size, closed segments every known group has consumed are deleted
 * @param maxBytes hard cap: appends are refused with {@code log_full} rather than grow past it
 * @param minFreeDiskBytes appends are refused with {@code disk_full} when the filesystem has less free space
 * @param maxQueuedBytes bound of the append queue; appends beyond it are refused with {@code queue_full}
 * @param sizeRetentionWaits whether size retention keeps segments a group has not read yet (the
 *                           raw log: a slow warehouse must not lose events); false for the
 *                           enriched log, where a dead destination must not fill the disk and stop
 *                           ingest — what it had not read is deleted and counted as expired
 */
public record EmbeddedLogConfig(
    Path dir,
    int partitions,
    long segmentBytes,
    Duration retentionAge,
    long retentionBytes,
    long maxBytes,
    long minFreeDiskBytes,
    long maxQueuedBytes,
    boolean sizeRetentionWaits) {

  private static final long MIB = 1024L * 1024;
  private static final long GIB = 1024 * MIB;

  public EmbeddedLogConfig {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(retentionAge, "retentionAge");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    if (segmentBytes < 1) {
      throw new IllegalArgumentException("segmentBytes must be > 0, was " + segmentBytes);
    }
    if (retentionAge.isNegative() || retentionAge.isZero()) {
      throw new IllegalArgumentException("retentionAge must be positive, was " + retentionAge);
    }
    if (retentionBytes < 0 || maxBytes < 1 || minFreeDiskBytes < 0 || maxQueuedBytes < 1) {
      throw new IllegalArgumentException("byte limits must be positive: retentionBytes=" + retentionBytes
          + " maxBytes=" + maxBytes + " minFreeDiskBytes=" + minFreeDiskBytes + " maxQueuedBytes=" + maxQueuedBytes);
    }
  }

  /** 4 partitions, 64 MiB segments, 7 days / 10 GiB retention, 20 GiB cap, 256 MiB free disk, 64 MiB queue. */
  public static EmbeddedLogConfig defaults(Path dir) {
    return new EmbeddedLogConfig(dir, 4, 64 * MIB, Duration.ofDays(7), 10 * GIB, 20 * GIB, 256 * MIB, 64 * MIB, true);
  }

  public EmbeddedLogConfig withPartitions(int value) {
    return new EmbeddedLogConfig(dir, value, segmentBytes, retentionAge, retentionBytes, maxBytes, minFreeDiskBytes, maxQueuedBytes, sizeRetentionWaits);
  }

  public EmbeddedLogConfig withSegmentBytes(long value) {
    return new EmbeddedLogConfig(dir, partitions, value, retentionAge, retentionBytes, maxBytes, minFreeDiskBytes, maxQueuedBytes, sizeRetentionWaits);
  }

  public EmbeddedLogConfig withRetentionAge(Duration value) {
    return new EmbeddedLogConfig(dir, partitions, segmentBytes, value, retentionBytes, maxBytes, minFreeDiskBytes, maxQueuedBytes, sizeRetentionWaits);
  }

  public EmbeddedLogConfig withRetentionBytes(long value) {
    return new EmbeddedLogConfig(dir, partitions, segmentBytes, retentionAge, value, maxBytes, minFreeDiskBytes, maxQueuedBytes, sizeRetentionWaits);
  }

  public EmbeddedLogConfig withMaxBytes(long value) {
    return new EmbeddedLogConfig(dir, partitions, segmentBytes, retentionAge, retentionBytes, value, minFreeDiskBytes, maxQueuedBytes, sizeRetentionWaits);
  }

  public EmbeddedLogConfig withMinFreeDiskBytes(long value) {
    return new EmbeddedLogConfig(dir, partitions, segmentBytes, retentionAge, retentionBytes, maxBytes, value, maxQueuedBytes, sizeRetentionWaits);
  }

  public EmbeddedLogConfig withMaxQueuedBytes(long value) {
    return new EmbeddedLogConfig(dir, partitions, segmentBytes, retentionAge, retentionBytes, maxBytes, minFreeDiskBytes, value, sizeRetentionWaits);
  }

  public EmbeddedLogConfig withSizeRetentionWaits(boolean value) {
    return new EmbeddedLogConfig(dir, partitions, segmentBytes, retentionAge, retentionBytes, maxBytes, minFreeDiskBytes, maxQueuedBytes, value);
  }

  public EmbeddedLogConfig withDir(Path value) {
    return new EmbeddedLogConfig(value, partitions, segmentBytes, retentionAge, retentionBytes, maxBytes, minFreeDiskBytes, maxQueuedBytes, sizeRetentionWaits);
  }
}
