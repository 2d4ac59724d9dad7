package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackgroundPriorityTest {

  /** The calling thread's nice value: field 19 of /proc/thread-self/stat, counted after the command's ')'. */
  static int niceOfThisThread() throws Exception {
    String stat = Files.readString(Path.of("/proc/thread-self/stat"));
    return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
  }

  @Test
  void aBackgroundThreadRunsAtNiceTenAndTheOthersStayAsTheyWere() throws Exception {
    assumeThat(Path.of("/proc/thread-self")).exists();
    int before = niceOfThisThread();
    AtomicInteger lowered = new AtomicInteger(Integer.MIN_VALUE);
    AtomicInteger again = new AtomicInteger(Integer.MIN_VALUE);
    Thread background = new Thread(() -> {
      try {
        BackgroundPriority.lowerCurrentThread();
        lowered.set(niceOfThisThread());
        BackgroundPriority.lowerCurrentThread(); // once per thread: no second renice
        again.set(niceOfThisThread());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    background.start();
    background.join();

    assertThat(lowered.get()).isEqualTo(Math.max(before, BackgroundPriority.DEFAULT_NICE));
    assertThat(again.get()).isEqualTo(lowered.get());
    assertThat(niceOfThisThread()).isEqualTo(before);
  }
}
