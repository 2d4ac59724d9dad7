package io.trackside.destination;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which destinations are paused. A pause from the API is stored ({@link Store}) so that it
 * survives a restart: an operator who paused Meta because the pixel id is wrong does not want it
 * to resume by itself at the next deploy. On one node the store is a file per destination
 * ({@link FilePauses}); on several nodes it is a PostgreSQL table every node polls
 * ({@link PostgresPauses}), so a pause through any dashboard stops the destination on every node.
 * The config's {@code paused: true} pauses too, whatever the store says.
 */
final class PauseSwitch {
  private static final Logger log = LoggerFactory.getLogger(PauseSwitch.class);

  /** Where the API's pauses are kept. */
  interface Store {
    /** The destinations paused through the API. */
    Set<String> paused() throws Exception;

    void pause(String id) throws Exception;

    void resume(String id) throws Exception;

    /** Whether other nodes may change it, so that it must be read again now and then. */
    boolean shared();
  }

  private final Store store;
  private final Set<String> paused = ConcurrentHashMap.newKeySet();
  private final Set<String> pausedByConfig = ConcurrentHashMap.newKeySet();
  private volatile String problem;

  PauseSwitch(Store store) {
    this.store = store;
  }

  void load(String id, boolean pausedInConfig) {
    if (pausedInConfig) {
      pausedByConfig.add(id);
    }
  }

  /** Reads the stored pauses; fails (at start) when the store cannot be read. */
  synchronized void refresh() throws Exception {
    Set<String> now = store.paused();
    boolean resumed = !now.containsAll(paused);
    paused.retainAll(now);
    paused.addAll(now);
    problem = null;
    if (resumed) {
      notifyAll();
    }
  }

  /** As {@link #refresh}, from the poller: a failed read keeps the last known pauses. */
  void refreshQuietly() {
    try {
      refresh();
    } catch (Exception e) {
      if (problem == null) {
        log.warn("Cannot read the destinations' pauses ({}); keeping the last known ones", e.toString());
      }
      problem = e.toString();
    }
  }

  boolean shared() {
    return store.shared();
  }

  Store store() {
    return store;
  }

  boolean paused(String id) {
    return paused.contains(id) || pausedByConfig.contains(id);
  }

  boolean pausedByConfig(String id) {
    return pausedByConfig.contains(id);
  }

  synchronized void pause(String id) {
    try {
      store.pause(id);
    } catch (Exception e) {
      throw new IllegalStateException("cannot record the pause of " + id + ": " + e.getMessage(), e);
    }
    paused.add(id);
  }

  synchronized void resume(String id) {
    try {
      store.resume(id);
    } catch (Exception e) {
      throw new IllegalStateException("cannot remove the pause of " + id + ": " + e.getMessage(), e);
    }
    paused.remove(id);
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
}
