package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.ReceivedEvent;
import io.trackside.core.SegmentEvents;
import io.trackside.log.EmbeddedEventLog;
import io.trackside.log.EmbeddedLogConfig;
import io.trackside.log.EventLog;
import io.trackside.log.LogRecord;
import io.trackside.warehouse.DuckDbWarehouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * A real enriched log, a real DuckDB warehouse for the dead letters, and delivery services built
 * from YAML exactly as the config file gives them.
 */
final class DeliveryFixture implements AutoCloseable {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  final Path dir;
  final EmbeddedEventLog enriched;
  final DuckDbWarehouse warehouse;
  final DeadLetterStore deadLetters;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<DeliveryService> services = new ArrayList<>();

  DeliveryFixture(Path dir) throws Exception {
    this.dir = dir;
    this.enriched = EmbeddedEventLog.open(EmbeddedLogConfig.defaults(dir.resolve("enriched"))
        .withSegmentBytes(256 * 1024).withSizeRetentionWaits(false), registry, "trackside.enriched.log");
    this.warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), registry);
    this.deadLetters = new DeadLetterStore(warehouse.newConnection());
  }

  /** A started service for the destinations given as the YAML list of the config file. */
  DeliveryService start(String yaml) throws Exception {
    List<DestinationConfig> configs = Destinations.parse(YAML.readTree(yaml));
    DeliveryService service = new DeliveryService(configs, enriched, deadLetters, dir.resolve("destinations"),
        new SimpleMeterRegistry(), e -> "erased-user".equals(e.userId()));
    service.start();
    services.add(service);
    return service;
  }

  /** Appends track events as the warehouse writer would; returns their event ids in order. */
  List<String> append(int n, String eventName, Set<String> consent, boolean consentKnown, String properties)
      throws Exception {
    return append(n, eventName, consent, consentKnown, properties, Instant.now());
  }

  /** As above, for events that happened at {@code now}. */
  List<String> append(int n, String eventName, Set<String> consent, boolean consentKnown, String properties,
                      Instant now) throws Exception {
    return appendTo(enriched, n, eventName, consent, consentKnown, properties, now);
  }

  /** Appends track events to any enriched log, one per partition in turn; returns their event ids in order. */
  static List<String> appendTo(EventLog enriched, int n, String eventName, Set<String> consent, boolean consentKnown,
                               String properties, Instant now) throws Exception {
    List<LogRecord> records = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String messageId = UUID.randomUUID().toString();
      String json = """
          {"type":"track","event":"%s","messageId":"%s","anonymousId":"anon-%d","userId":"user-%<d","timestamp":"%s",
           "properties":%s}""".formatted(eventName, messageId, i % 17, now, properties.replace("$i", Integer.toString(i)));
      EnrichedEvent e = new EnrichedEvent(SegmentEvents.decode(new ReceivedEvent(now.toEpochMilli(), "web",
          "203.0.113.7", "Mozilla/5.0", null, null, json.getBytes(StandardCharsets.UTF_8))));
      e.consent.addAll(consent);
      e.consentKnown = consentKnown;
      e.visitorId = "anon-" + (i % 17);
      e.ip = "203.0.113.0";
      e.userAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36";
      e.pageUrl = "https://shop.example/checkout";
      int partition = i % enriched.partitions();
      records.add(new LogRecord(null, now.toEpochMilli(), EnrichedLogRecords.encode(e, partition, i), partition));
      ids.add(EnrichedLogRecords.eventId("web", messageId));
    }
    enriched.append(records).get();
    return ids;
  }

  static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  static long number(JsonNode node) {
    return node == null || node.isNull() ? 0 : node.asLong();
  }

  @Override
  public void close() {
    services.forEach(s -> s.stop(Duration.ofSeconds(5)));
    deadLetters.close();
    warehouse.close();
    enriched.close();
  }
}
