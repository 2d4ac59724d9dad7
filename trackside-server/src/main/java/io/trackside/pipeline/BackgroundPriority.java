package io.trackside.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingest first: the work behind the log (the pipeline workers, the enriched log they write,
 * delivery, the session rollup) runs at Linux nice value {@value #DEFAULT_NICE} by default, the
 * collector at 0. When the cores are saturated the collector gets them first and keeps
 * acknowledging events, which are safe in the log, while the rest falls behind and catches up
 * when the load drops (its lag is in {@code /metrics}); when they are not saturated, nice changes
 * nothing. Under full contention a nice-10 thread still
 * gets about a tenth of a normal one's share, so nothing behind the log stops.
 *
 * <p>Per thread, since Linux keeps the nice value per thread: {@code renice} on the thread's own
 * id, read from {@code /proc/thread-self} (Java 17 has no {@code setpriority}). Where that is not
 * possible (not Linux, no {@code renice}) everything runs at normal priority and the log says so
 * once. The setting {@code background-nice} (0 to 19, 0: no difference) is applied by
 * {@link #configure} before the node starts its threads. Measured with
 * {@code trackside-bench/run.sh}: batch ingest +10 % and +19 % in two pairs of runs, the steady
 * phase's p99 unchanged (docs/BENCHMARKS.md).
 */
public final class BackgroundPriority {
  /** The default nice value of the work behind the log. */
  public static final int DEFAULT_NICE = 10;
  private static final Logger log = LoggerFactory.getLogger(BackgroundPriority.class);
  private static final ThreadLocal<Boolean> LOWERED = ThreadLocal.withInitial(() -> false);
  private static volatile int nice = DEFAULT_NICE;
  private static volatile boolean warned;

  private BackgroundPriority() {
  }

  /** The nice value for the threads lowered from now on (0 to 19; 0 leaves them as they are). */
  public static void configure(int niceValue) {
    if (niceValue < 0 || niceValue > 19) {
      throw new IllegalArgumentException("background-nice must be 0 to 19, got " + niceValue);
    }
    nice = niceValue;
  }

  /** The task, on a thread that first lowers its own priority: for {@code new Thread(...)} and thread factories. */
  public static Runnable lowered(Runnable task) {
    return () -> {
      lowerCurrentThread();
      task.run();
    };
  }

  /** Lowers the calling thread's priority, once per thread; cheap to call again. */
  public static void lowerCurrentThread() {
    int value = nice;
    if (value == 0 || LOWERED.get()) {
      return;
    }
    LOWERED.set(true);
    try {
      // "<pid>/task/<tid>"
      String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
      Process renice = new ProcessBuilder("renice", "-n", Integer.toString(value), "-p", tid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!renice.waitFor(5, TimeUnit.SECONDS) || renice.exitValue() != 0) {
        renice.destroy();
        warnOnce("renice exited with " + (renice.isAlive() ? "no answer" : renice.exitValue()));
      }
    } catch (IOException | UnsupportedOperationException e) {
      warnOnce(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void warnOnce(String why) {
    if (!warned) {
      warned = true;
      log.info("the pipeline and delivery run at normal CPU priority, beside the collector ({}): on a saturated"
          + " machine they take CPU from ingest", why);
    }
  }
}
