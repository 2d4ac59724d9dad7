package io.trackside.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.ReceivedEvent;
import io.trackside.core.SegmentEvents;
import io.trackside.destination.DeadLetterStore;
import io.trackside.destination.DeliveryService;
import io.trackside.destination.Destinations;
import io.trackside.destination.EnrichedLogRecords;
import io.trackside.log.EmbeddedEventLog;
import io.trackside.log.EmbeddedLogConfig;
import io.trackside.log.LogConsumer;
import io.trackside.log.LogRecord;
import io.trackside.warehouse.DuckDbWarehouse;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivery throughput of one destination to a local stand-in: EVENTS enriched records (as the
 * pipeline writes them, ~1 KB of realistic e-commerce events) wait in the enriched log; the clock
 * runs from the start of the delivery until the stand-in has acknowledged every one. The stand-in
 * is a Vert.x HTTP server that reads each body and counts its events, so the figure is Trackside's
 * (read, decode, consent and filter checks, mapping, batching, HTTP) plus a cheap receiver. Other
 * builds share the cores, so it also prints CPU time per event: the whole process, the stand-in's
 * share, and by thread (JIT compiler and GC threads included).
 *
 * <p>GA4 goes over HTTP/2 (h2c here; {@code -Dhttp2=false} for HTTP/1.1), {@code -Dconcurrency=N}
 * sets its requests in flight.
 *
 * <p>Usage: {@code DeliveryBench EVENTS TYPE} with TYPE webhook, segment, ga4 or meta.
 */
public final class DeliveryBench {

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    String type = args.length > 1 ? args[1] : "webhook";
    Path dir = Files.createTempDirectory("delivery-bench");
    AtomicLong received = new AtomicLong();
    Set<Long> standInThreads = ConcurrentHashMap.newKeySet();
    // The stand-in: a Vert.x server on one event loop that counts the events of each body; it
    // speaks HTTP/1.1 and (GA4's default here) HTTP/2 without TLS by prior knowledge.
    io.vertx.core.Vertx standInVertx = io.vertx.core.Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
    byte[] marker = marker(type);
    byte[] answer = "meta".equals(type) ? "{\"events_received\":1}".getBytes(StandardCharsets.UTF_8)
        : "{}".getBytes(StandardCharsets.UTF_8);
    io.vertx.core.http.HttpServer standIn = standInVertx.createHttpServer().requestHandler(request ->
        request.body().onSuccess(body -> {
          standInThreads.add(Thread.currentThread().getId());
          received.addAndGet(count(body.getBytes(), marker));
          if ("ga4".equals(type)) {
            request.response().setStatusCode(204).end();
          } else {
            request.response().putHeader("Content-Type", "application/json").end(io.vertx.core.buffer.Buffer.buffer(answer));
          }
        })).listen(0, "127.0.0.1").await();
    String base = "http://127.0.0.1:" + standIn.actualPort();
    String yaml = switch (type) {
      case "webhook" -> "- {id: bench, type: webhook, url: '" + base + "/hook', secret: s, max-events: 500}";
      case "segment" -> "- {id: bench, type: segment, url: '" + base + "', write-key: k}";
      case "ga4" -> "- {id: bench, type: ga4, base-url: '" + base + "', measurement-id: G-BENCH1, api-secret: s" + (System.getProperty("concurrency") == null ? "" : ", concurrency: " + System.getProperty("concurrency"))
          // HTTP/2 as against the real endpoint (https, negotiated by ALPN); here h2c by prior knowledge.
          + ", http2: " + System.getProperty("http2", "true") + "}";
      case "meta" -> "- {id: bench, type: meta, base-url: '" + base + "', pixel-id: '1', access-token: t}";
      default -> throw new IllegalArgumentException("type: webhook, segment, ga4 or meta");
    };
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (EmbeddedEventLog log = EmbeddedEventLog.open(EmbeddedLogConfig.defaults(dir.resolve("enriched"))
        .withSizeRetentionWaits(false), registry, "bench.enriched");
         DuckDbWarehouse warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"), registry);
         DeadLetterStore deadLetters = new DeadLetterStore(warehouse.newConnection())) {
      fill(log, events);
      if (args.length > 2 && "map".equals(args[2])) {
        mapOnly(log, Destinations.parse(new ObjectMapper(new YAMLFactory()).readTree(yaml)).get(0));
        return;
      }
      try (LogConsumer c = log.consumer("destination.bench", List.of(0, 1, 2, 3))) {
        Map<Integer, Long> zero = new HashMap<>();
        for (int p = 0; p < log.partitions(); p++) {
          zero.put(p, 0L);
        }
        c.commit(zero); // read from the start, not "from now on" as a new destination would
      }
      DeliveryService service = new DeliveryService(Destinations.parse(new ObjectMapper(new YAMLFactory())
          .readTree(yaml)), log, deadLetters, dir.resolve("state"), registry, e -> false);
      Map<Long, Long> threadCpuAtStart = threadCpu();
      Map<String, Long> taskCpuAtStart = taskCpu();
      long processCpuAtStart = processCpu();
      long started = System.nanoTime();
      service.start();
      long expected = expectedDeliveries(type, events);
      while (received.get() < expected) {
        Thread.sleep(5);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      long processCpu = processCpu() - processCpuAtStart;
      System.out.printf("destination %s: %,d events delivered in %.2f s = %,.0f events/s%n", type, received.get(),
          seconds, received.get() / seconds);
      printCpu(received.get(), processCpu, threadCpuAtStart, standInThreads);
      printTasks(received.get(), processCpu, taskCpuAtStart);
      System.out.println("state: " + service.describe("bench").orElseThrow());
      service.stop(Duration.ofSeconds(5));
    } finally {
      standInVertx.close();
    }
  }

  /** CPU time of the whole process (every thread, GC and JIT included), in ns. */
  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static Map<Long, Long> threadCpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      cpu.put(id, threads.getThreadCpuTime(id));
    }
    return cpu;
  }

  /**
   * CPU per event rather than wall time (other builds share the cores): the whole process, the
   * stand-in's event loop (the receiver, not Trackside), and Trackside's threads by name.
   */
  private static void printCpu(long events, long processCpu, Map<Long, Long> atStart, Set<Long> standIn) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> byGroup = new TreeMap<>();
    long standInCpu = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(info.getThreadId()) - atStart.getOrDefault(info.getThreadId(), 0L);
      if (standIn.contains(info.getThreadId())) {
        standInCpu += cpu;
        continue;
      }
      byGroup.merge(info.getThreadName().replaceAll("[0-9]+", "N"), cpu, Long::sum);
    }
    StringBuilder groups = new StringBuilder();
    byGroup.entrySet().stream().filter(g -> g.getValue() * 100 >= processCpu)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(g -> groups.append(String.format(" %s %.1f;", g.getKey(), g.getValue() / 1e3 / events)));
    System.out.printf("cpu per event: process %.1f µs, of which stand-in %.1f µs, Trackside and JVM %.1f µs"
        + " (threads, µs/event:%s)%n", processCpu / 1e3 / events, standInCpu / 1e3 / events,
        (processCpu - standInCpu) / 1e3 / events, groups);
  }

  /** Every thread of the process, JVM threads (GC, JIT) included, by its Linux name: tick-exact only. */
  private static Map<String, Long> taskCpu() {
    Map<String, Long> cpu = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          cpu.merge(name.replaceAll("[0-9]+", "N") + "#" + task.getFileName(), ticks, Long::sum);
        } catch (java.io.IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (java.io.IOException e) {
      return Map.of();
    }
    return cpu;
  }

  private static void printTasks(long events, long processCpu, Map<String, Long> atStart) {
    Map<String, Long> byName = new TreeMap<>();
    taskCpu().forEach((task, ticks) -> byName.merge(task.substring(0, task.lastIndexOf('#')),
        ticks - atStart.getOrDefault(task, 0L), Long::sum));
    StringBuilder out = new StringBuilder();
    long tickNs = 10_000_000L; // USER_HZ 100
    byName.entrySet().stream().filter(g -> g.getValue() * tickNs * 100 >= processCpu)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(g -> out.append(String.format(" %s %.1f;", g.getKey(), g.getValue() * tickNs / 1e3 / events)));
    System.out.printf("cpu per event by Linux thread name (µs/event, 10 ms ticks):%s%n", out);
  }

  /** The cost of reading and mapping alone, without HTTP: decode + map + building requests of one event each. */
  private static void mapOnly(EmbeddedEventLog log, io.trackside.destination.DestinationConfig config) throws Exception {
    io.trackside.destination.Destination destination = Destinations.create(config);
    List<io.trackside.log.StoredRecord> all = new ArrayList<>();
    try (LogConsumer c = log.consumer("map-only", List.of(0, 1, 2, 3))) {
      List<io.trackside.log.StoredRecord> page;
      while (!(page = c.poll(10_000, Duration.ofMillis(200))).isEmpty()) {
        all.addAll(page);
      }
    }
    for (int round = 0; round < 3; round++) {
      long decode = 0;
      long map = 0;
      long request = 0;
      for (io.trackside.log.StoredRecord r : all) {
        long t0 = System.nanoTime();
        var event = EnrichedLogRecords.decode(r.value(), r.partition(), r.offset());
        long t1 = System.nanoTime();
        var mapped = destination.map(event);
        long t2 = System.nanoTime();
        if (mapped instanceof io.trackside.destination.Mapped.Send send) {
          destination.request(List.of(send));
        }
        long t3 = System.nanoTime();
        decode += t1 - t0;
        map += t2 - t1;
        request += t3 - t2;
      }
      System.out.printf("round %d per event: decode %.1f µs, map %.1f µs, request %.1f µs%n", round,
          decode / 1e3 / all.size(), map / 1e3 / all.size(), request / 1e3 / all.size());
    }
  }

  /** GA4 and Meta skip identify calls; every 10th event of the fill is one. */
  private static long expectedDeliveries(String type, int events) {
    return "ga4".equals(type) || "meta".equals(type) ? events - events / 10 : events;
  }

  private static byte[] marker(String type) {
    return switch (type) {
      case "ga4" -> "\"params\":".getBytes(StandardCharsets.UTF_8);
      case "meta" -> "\"event_name\":".getBytes(StandardCharsets.UTF_8);
      default -> "\"messageId\":".getBytes(StandardCharsets.UTF_8);
    };
  }

  private static long count(byte[] body, byte[] marker) {
    long n = 0;
    outer:
    for (int i = 0; i + marker.length <= body.length; i++) {
      for (int j = 0; j < marker.length; j++) {
        if (body[i + j] != marker[j]) {
          continue outer;
        }
      }
      n++;
    }
    return n;
  }

  private static void fill(EmbeddedEventLog log, int events) throws Exception {
    Instant now = Instant.now();
    List<LogRecord> records = new ArrayList<>(10_000);
    for (int i = 0; i < events; i++) {
      String json = i % 10 == 9
          ? """
            {"type":"identify","messageId":"m-%d","anonymousId":"a-%d","userId":"u-%d","timestamp":"%s",
             "traits":{"email":"%s"}}""".formatted(i, i % 5000, i % 5000, now,
              "5f4dcc3b5aa765d61d8327deb882cf995f4dcc3b5aa765d61d8327deb882cf99")
          : """
            {"type":"track","event":"%s","messageId":"m-%d","anonymousId":"a-%d","timestamp":"%s",
             "properties":{"product_id":"sku-%d","name":"Product %d","price":19.5,"quantity":2,"currency":"EUR",
              "revenue":39.0,"order_id":"o-%d","products":[{"product_id":"sku-%d","price":19.5,"quantity":2}]},
             "context":{"page":{"url":"https://shop.example/p/%d","title":"Product"},
              "userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36"}}"""
              .formatted(i % 3 == 0 ? "Order Completed" : "Product Added", i, i % 5000, now, i % 300, i % 300, i,
                  i % 300, i % 300);
      EnrichedEvent e = new EnrichedEvent(SegmentEvents.decode(new ReceivedEvent(now.toEpochMilli(), "web",
          "198.51.100.7", null, null, null, json.getBytes(StandardCharsets.UTF_8))));
      e.consent.add("analytics");
      e.consent.add("advertising");
      e.consent.add("ad_user_data");
      e.consentKnown = true;
      e.visitorId = "a-" + (i % 5000);
      e.sessionId = Integer.toHexString(i / 20) + "0000000000000000";
      e.ip = "198.51.100.0";
      e.userAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36";
      e.pageUrl = "https://shop.example/p/" + (i % 300);
      int p = i % log.partitions();
      records.add(new LogRecord(null, now.toEpochMilli(), EnrichedLogRecords.encode(e, p, i / log.partitions()), p));
      if (records.size() == 10_000) {
        log.append(records).get();
        records = new ArrayList<>(10_000);
      }
    }
    log.append(records).get();
  }
}
