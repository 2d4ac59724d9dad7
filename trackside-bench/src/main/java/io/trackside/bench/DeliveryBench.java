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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivery throughput of one destination to a local stand-in: EVENTS enriched records (as the
 * pipeline writes them, ~1 KB of realistic e-commerce events) wait in the enriched log; the clock
 * runs from the start of the delivery until the stand-in has acknowledged every one. The stand-in
 * is a JDK HTTP server that reads each body and counts its events, so the figure is Trackside's
 * (read, decode, consent and filter checks, mapping, batching, HTTP) plus a cheap receiver.
 *
 * <p>Usage: {@code DeliveryBench EVENTS TYPE} with TYPE webhook, segment, ga4 or meta.
 */
public final class DeliveryBench {

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    String type = args.length > 1 ? args[1] : "webhook";
    Path dir = Files.createTempDirectory("delivery-bench");
    AtomicLong received = new AtomicLong();
    // The stand-in: a Vert.x server on one event loop that counts the events of each body.
    io.vertx.core.Vertx standInVertx = io.vertx.core.Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
    byte[] marker = marker(type);
    byte[] answer = "meta".equals(type) ? "{\"events_received\":1}".getBytes(StandardCharsets.UTF_8)
        : "{}".getBytes(StandardCharsets.UTF_8);
    io.vertx.core.http.HttpServer standIn = standInVertx.createHttpServer().requestHandler(request ->
        request.body().onSuccess(body -> {
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
      case "ga4" -> "- {id: bench, type: ga4, base-url: '" + base + "', measurement-id: G-BENCH1, api-secret: s" + (System.getProperty("concurrency") == null ? "" : ", concurrency: " + System.getProperty("concurrency")) + "}";
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
      long started = System.nanoTime();
      service.start();
      long expected = expectedDeliveries(type, events);
      while (received.get() < expected) {
        Thread.sleep(5);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("destination %s: %,d events delivered in %.2f s = %,.0f events/s%n", type, received.get(),
          seconds, received.get() / seconds);
      System.out.println("state: " + service.describe("bench").orElseThrow());
      service.stop(Duration.ofSeconds(5));
    } finally {
      standInVertx.close();
    }
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
