package io.trackside.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Committed positions of consumer groups, one small text file per group under
 * {@code consumers/<group>.offsets} ("partition offset" per line). A commit writes a temporary
 * file, fsyncs it and renames it over the old one, so after a crash a group has either its old
 * or its new positions, never a mix or a torn file.
 */
final class OffsetStore {
  private static final String SUFFIX = ".offsets";
  private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

  private final Path dir;
  /** Immutable map per group, replaced on each commit. */
  private final Map<String, Map<Integer, Long>> groups = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  private OffsetStore(Path dir) {
    this.dir = dir;
  }

  static OffsetStore load(Path dir) throws IOException {
    Files.createDirectories(dir);
    OffsetStore store = new OffsetStore(dir);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.delete(file); // a commit that crashed before its rename; the old file is still valid
        } else if (name.endsWith(SUFFIX)) {
          store.groups.put(name.substring(0, name.length() - SUFFIX.length()), parse(file));
        }
      }
    }
    return store;
  }

  private static Map<Integer, Long> parse(Path file) throws IOException {
    Map<Integer, Long> offsets = new TreeMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length != 2) {
        throw new IOException(file + ": cannot read line '" + line + "'");
      }
      offsets.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
    }
    return Collections.unmodifiableMap(offsets);
  }

  static void checkGroupName(String group) {
    if (group == null || !GROUP_NAME.matcher(group).matches()) {
      throw new IllegalArgumentException("consumer group names use letters, digits, '.', '_' and '-': " + group);
    }
  }

  long committed(String group, int partition) {
    Map<Integer, Long> offsets = groups.get(group);
    return offsets == null ? 0 : offsets.getOrDefault(partition, 0L);
  }

  /** Every group that has committed, with its positions: the groups size retention waits for. */
  Map<String, Map<Integer, Long>> snapshot() {
    return new HashMap<>(groups);
  }

  void commit(String group, Map<Integer, Long> nextOffsets) throws IOException {
    checkGroupName(group);
    // Consumers of one group on other threads may commit other partitions at the same time.
    synchronized (locks.computeIfAbsent(group, g -> new Object())) {
      Map<Integer, Long> merged = new TreeMap<>(groups.getOrDefault(group, Map.of()));
      merged.putAll(nextOffsets);
      StringBuilder text = new StringBuilder("# trackside consumer offsets: partition next-offset\n");
      merged.forEach((partition, offset) -> text.append(partition).append(' ').append(offset).append('\n'));
      Path target = dir.resolve(group + SUFFIX);
      Path temp = dir.resolve(group + SUFFIX + ".tmp");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      FileSync.directory(dir);
      groups.put(group, Collections.unmodifiableMap(merged));
    }
  }
}
