package io.trackside.destination;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/** One node's pauses: a file {@code <data>/destinations/<id>.paused} per paused destination. */
final class FilePauses implements PauseSwitch.Store {
  private static final String SUFFIX = ".paused";
  private final Path dir;

  FilePauses(Path dir) {
    this.dir = dir;
  }

  @Override
  public Set<String> paused() throws IOException {
    Set<String> ids = new HashSet<>();
    if (dir == null || !Files.isDirectory(dir)) {
      return ids;
    }
    try (Stream<Path> files = Files.list(dir)) {
      files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
          .forEach(n -> ids.add(n.substring(0, n.length() - SUFFIX.length())));
    }
    return ids;
  }

  @Override
  public void pause(String id) throws IOException {
    if (dir != null) {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(id + SUFFIX), "paused through the API at " + Instant.now() + "\n");
    }
  }

  @Override
  public void resume(String id) throws IOException {
    if (dir != null) {
      Files.deleteIfExists(dir.resolve(id + SUFFIX));
    }
  }

  @Override
  public boolean shared() {
    return false;
  }
}
