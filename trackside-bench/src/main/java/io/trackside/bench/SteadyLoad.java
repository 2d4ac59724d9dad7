package io.trackside.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends Segment batches at a fixed event rate (open loop: the schedule does not slow down when
 * the server does), so the end-to-end latency measured by Trackside's
 * trackside_pipeline_latency metric is the latency at that rate.
 *
 * <p>Usage: {@code SteadyLoad URL WRITE_KEY EVENTS_PER_SECOND SECONDS [BATCH_SIZE=50] [EVENTS_PER_VISITOR=0]}
 *
 * <p>By default 5,000 visitors take turns, so every visitor's one session lasts the whole run;
 * with EVENTS_PER_VISITOR each visitor sends that many events in a row and is not seen again, so
 * sessions are short and new ones start all the time, as on a site.
 */
public final class SteadyLoad {
  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: SteadyLoad URL WRITE_KEY EVENTS_PER_SECOND SECONDS [BATCH_SIZE]");
      System.exit(2);
    }
    URI uri = URI.create(args[0].replaceAll("/$", "") + "/v1/batch");
    String auth = "Basic " + Base64.getEncoder().encodeToString((args[1] + ":").getBytes(StandardCharsets.UTF_8));
    int rate = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    int batchSize = args.length > 4 ? Integer.parseInt(args[4]) : 50;
    int eventsPerVisitor = args.length > 5 ? Integer.parseInt(args[5]) : 0;
    long periodMicros = 1_000_000L * batchSize / rate;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
        .executor(Executors.newFixedThreadPool(2)).build();
    Semaphore inFlight = new Semaphore(256); // a bound, so a stalled server cannot exhaust this process
    AtomicLong sent = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong skipped = new AtomicLong();
    AtomicLong sequence = new AtomicLong();
    java.util.Map<String, Integer> failures = new java.util.concurrent.ConcurrentHashMap<>();
    String run = Long.toHexString(System.nanoTime());
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    scheduler.scheduleAtFixedRate(() -> {
      if (!inFlight.tryAcquire()) {
        skipped.addAndGet(batchSize);
        return;
      }
      String body = batch(run, sequence.getAndIncrement(), batchSize, eventsPerVisitor);
      sent.addAndGet(batchSize);
      http.sendAsync(HttpRequest.newBuilder(uri).header("Authorization", auth).header("Content-Type", "application/json")
              .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            inFlight.release();
            if (error == null && response.statusCode() == 200) {
              ok.addAndGet(batchSize);
            } else {
              failed.addAndGet(batchSize);
              String why = error != null ? String.valueOf(error.getCause() != null ? error.getCause() : error) : "HTTP " + response.statusCode();
              failures.merge(why, 1, Integer::sum);
            }
          });
    }, 0, periodMicros, TimeUnit.MICROSECONDS);
    for (int s = 1; s <= seconds; s++) {
      Thread.sleep(1000);
      System.out.printf("t=%ds sent=%d ok=%d failed=%d skipped=%d%n", s, sent.get(), ok.get(), failed.get(), skipped.get());
    }
    scheduler.shutdownNow();
    inFlight.acquire(256);
    System.out.println("failed requests by cause: " + failures);
    System.out.printf("steady_events_ok %d%nsteady_events_failed %d%nsteady_events_skipped %d%n", ok.get(), failed.get(), skipped.get());
    System.exit(0);
  }

  static String batch(String run, long sequence, int size, int eventsPerVisitor) {
    StringBuilder body = new StringBuilder(size * 520 + 16).append("{\"batch\":[");
    for (int i = 0; i < size; i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"type\":\"track\",\"event\":\"Product Viewed\",\"anonymousId\":\"anon-")
          .append(eventsPerVisitor > 0 ? run + "-" + (sequence * size + i) / eventsPerVisitor : String.valueOf((sequence * size + i) % 5000))
          .append("\",\"messageId\":\"steady-").append(run).append('-').append(sequence).append('-').append(i)
          .append("\",\"properties\":{\"product_id\":\"sku-123\",\"price\":19.99,\"currency\":\"EUR\"},")
          .append("\"context\":{\"page\":{\"url\":\"https://shop.example.com/p/sku-123\",\"referrer\":\"https://www.google.com/\"},")
          .append("\"userAgent\":\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36\"}}");
    }
    return body.append("]}").toString();
  }
}
