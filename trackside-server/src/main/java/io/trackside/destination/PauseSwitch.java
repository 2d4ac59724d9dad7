package io.trackside.destination;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Which destinations are paused. A pause from the API is kept as a file
 * ({@code <data>/destinations/<id>.paused}) so that it survives a restart: an operator who paused
 * Meta because the pixel id is wrong does not want it to resume by itself at the next deploy.
 * The config's {@code paused: true} pauses too, whatever the file says.
 */
final class PauseSwitch {
  private final Path dir;
  private final Set<String> paused = ConcurrentHashMap.newKeySet();
  private final Set<String> pausedByConfig = ConcurrentHashMap.newKeySet();

  PauseSwitch(Path dir) {
    this.dir = dir;
  }

  void load(String id, boolean pausedInConfig) {
    if (pausedInConfig) {
      pausedByConfig.add(id);
    }
    if (dir != null && Files.exists(file(id))) {
      paused.add(id);
    }
  }

  boolean paused(String id) {
    return paused.contains(id) || pausedByConfig.contains(id);
  }

  boolean pausedByConfig(String id) {
    return pausedByConfig.contains(id);
  }

  synchronized void pause(String id) {
    paused.add(id);
    if (dir != null) {
      try {
        Files.createDirectories(dir);
        Files.writeString(file(id), "paused through the API at " + java.time.Instant.now() + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot record the pause of " + id + " in " + dir, e);
      }
    }
  }

  synchronized void resume(String id) {
    paused.remove(id);
    if (dir != null) {
      try {
        Files.deleteIfExists(file(id));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the pause of " + id + " from " + dir, e);
      }
    }
    notifyAll();
  }

  synchronized void awaitResume(String id, BooleanSupplier stopping) throws InterruptedException {
    while (paused(id) && !stopping.getAsBoolean()) {
      wait(1000);
    }
  }

  synchronized void wake() {
    notifyAll();
  }

  private Path file(String id) {
    return dir.resolve(id + ".paused");
  }
}
