package io.trackside.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of one node in files ({@code <data>/salts/YYYY-MM-DD.salt}, owner-only), so that a
 * restart on the same day keeps every visitor id stable.
 */
final class FileSaltStore implements SaltStore {

  private static final String SUFFIX = ".salt";
  private static final Logger log = LoggerFactory.getLogger(FileSaltStore.class);

  private final Path dir;
  private final SecureRandom random = new SecureRandom();

  FileSaltStore(Path dir) {
    this.dir = dir;
  }

  /** The day's key from its file, or a new random one (written to its file before it is used). */
  @Override
  public byte[] keyFor(LocalDate day) {
    Path file = fileOf(day);
    try {
      byte[] key = Files.readAllBytes(file);
      if (key.length == DailySalts.SALT_BYTES) {
        return key;
      }
      log.warn("Salt file {} has {} bytes instead of {}; replacing it (ids of {} change)", file, key.length,
          DailySalts.SALT_BYTES, day);
    } catch (NoSuchFileException absent) {
      // made below
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the salt file " + file, e);
    }
    byte[] key = new byte[DailySalts.SALT_BYTES];
    random.nextBytes(key);
    write(file, key);
    return key;
  }

  @Override
  public List<LocalDate> storedDays() {
    List<LocalDate> days = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        LocalDate day = dayOf(file);
        if (day != null) {
          days.add(day);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    days.sort(null);
    return days;
  }

  private void write(Path file, byte[] key) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ownerOnly(tmp);
        ch.write(ByteBuffer.wrap(key));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the salt file " + file, e);
    }
  }

  private static void ownerOnly(Path file) {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException notPosix) {
      // Windows and the like: the data directory's own permissions have to do
    }
  }

  /**
   * Overwrites every other salt file with zeros, syncs, then deletes it. The overwrite is a
   * best effort against undelete tools; on copy-on-write or flash storage the old blocks may
   * survive until reused, which is why the data directory itself must be protected too.
   */
  @Override
  public void retainOnly(LocalDate today, LocalDate yesterday) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        LocalDate day = dayOf(file);
        boolean keep = day != null && (day.equals(today) || day.equals(yesterday));
        if (!keep && (name.endsWith(SUFFIX) || name.endsWith(SUFFIX + ".tmp"))) {
          shred(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the salt directory " + dir, e);
    }
  }

  private static void shred(Path file) {
    try {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        long size = ch.size();
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(size, 4096));
        for (long pos = 0; pos < size; ) {
          zeros.clear().limit((int) Math.min(zeros.capacity(), size - pos));
          pos += ch.write(zeros, pos);
        }
        ch.force(true);
      }
      Files.delete(file);
    } catch (NoSuchFileException gone) {
      // fine
    } catch (IOException e) {
      // Refusing to start over a stale key would stop the whole pipeline; shout instead.
      log.error("Could not delete the expired salt file {}: {}. Delete it by hand: while it exists, visitor ids "
          + "of its day could be re-derived", file, e.toString());
    }
  }

  private Path fileOf(LocalDate day) {
    return dir.resolve(day + SUFFIX);
  }

  private static LocalDate dayOf(Path file) {
    String name = file.getFileName().toString();
    if (!name.endsWith(SUFFIX)) {
      return null;
    }
    try {
      return LocalDate.parse(name.substring(0, name.length() - SUFFIX.length()));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
