package io.trackside.bench;

import io.trackside.core.IntakeException;
import io.trackside.core.IntakeLimits;
import io.trackside.core.SegmentIntake;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;

/**
 * The collector's per-event parse and judgement in isolation: the wrk scripts' ~500-byte track
 * event as a single-event body and as batches of 100, through {@link SegmentIntake#parse}.
 * Prints this thread's CPU nanoseconds per event after a warm-up. Usage: {@code IntakeBench [seconds]}.
 */
public final class IntakeBench {
  // CPU time of this thread, not the wall clock: other processes on the same cores then matter less
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private IntakeBench() {
  }

  public static void main(String[] args) throws IntakeException {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    SegmentIntake intake = new SegmentIntake(IntakeLimits.segmentDefaults());
    byte[] single = event(1).getBytes(StandardCharsets.UTF_8);
    StringBuilder batch = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < 100; i++) {
      batch.append(i == 0 ? "" : ",").append(event(i));
    }
    byte[] batchBody = batch.append("],\"context\":{\"library\":{\"name\":\"analytics-java\",\"version\":\"3.5.1\"}},"
        + "\"sentAt\":\"2026-11-28T12:00:01.000Z\"}").toString().getBytes(StandardCharsets.UTF_8);
    for (int round = 0; round < 2; round++) { // the first round is the JIT's warm-up
      report(round == 0 ? "warm-up " : "", "single", time(intake, single, "track", 1, seconds));
      report(round == 0 ? "warm-up " : "", "batch of 100", time(intake, batchBody, null, 100, seconds));
    }
  }

  private static double time(SegmentIntake intake, byte[] body, String pathType, int eventsPerBody, int seconds)
      throws IntakeException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long events = 0;
    long start = CPU.getCurrentThreadCpuTime();
    long sink = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 100; i++) {
        sink += intake.parse(body, pathType).items().get(0).json().length;
      }
      events += 100L * eventsPerBody;
    }
    if (sink == 42) {
      System.out.println();
    }
    return (CPU.getCurrentThreadCpuTime() - start) / (double) events;
  }

  private static void report(String prefix, String what, double nanosPerEvent) {
    System.out.printf("%s%-13s %8.0f CPU ns/event  (%,.0f events/s on one core)%n", prefix, what, nanosPerEvent,
        1e9 / nanosPerEvent);
  }

  private static String event(int n) {
    return "{\"type\":\"track\",\"event\":\"Product Viewed\",\"anonymousId\":\"anon-" + n
        + "\",\"messageId\":\"bench-" + n + "-0123456789\",\"properties\":{\"product_id\":\"sku-123\","
        + "\"price\":19.99,\"currency\":\"EUR\"},\"context\":{\"page\":{\"url\":\"https://shop.example.com/p/sku-123\","
        + "\"referrer\":\"https://www.google.com/\"},\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64) "
        + "AppleWebKit/537.36 Chrome/120 Safari/537.36\"},\"timestamp\":\"2026-11-28T12:00:00.000Z\"}";
  }
}
