package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the config's {@code destinations} list and builds each platform's {@link Destination}. */
public final class Destinations {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final Set<String> COMMON = Set.of("id", "type", "paused", "consent", "filter", "events",
      "max-events", "linger", "concurrency", "timeout");
  private static final Map<String, Function<DestinationConfig, Destination>> TYPES = new LinkedHashMap<>();

  static {
    TYPES.put("ga4", Ga4Destination::new);
    TYPES.put("meta", MetaDestination::new);
    TYPES.put("webhook", WebhookDestination::new);
    TYPES.put("segment", SegmentDestination::new);
  }

  private Destinations() {
  }

  /** Builds the platform of one configured destination; IllegalArgumentException names what is wrong. */
  public static Destination create(DestinationConfig config) {
    Function<DestinationConfig, Destination> type = TYPES.get(config.type());
    if (type == null) {
      throw new IllegalArgumentException("destination '" + config.id() + "': unknown type '" + config.type()
          + "'; known types: " + TYPES.keySet());
    }
    return type.apply(config);
  }

  /**
   * Parses the {@code destinations} list of the config. Every entry is checked here, with its
   * platform's required settings, so a typo stops the start instead of failing at the first send.
   */
  public static List<DestinationConfig> parse(JsonNode list) {
    List<DestinationConfig> configs = new ArrayList<>();
    if (list == null || list.isMissingNode() || list.isNull()) {
      return configs;
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException("destinations must be a list of entries with id and type");
    }
    Set<String> ids = new HashSet<>();
    for (JsonNode node : list) {
      if (!(node instanceof ObjectNode entry)) {
        throw new IllegalArgumentException("each destination is a map with at least id and type");
      }
      String id = entry.path("id").asText("");
      if (!ID.matcher(id).matches()) {
        throw new IllegalArgumentException("destination id '" + id + "' must be lower-case letters, digits, '-'"
            + " or '_' (it names metrics and the API path)");
      }
      if (!ids.add(id)) {
        throw new IllegalArgumentException("destination id '" + id + "' is used twice");
      }
      String type = entry.path("type").asText("");
      ObjectNode options = entry.deepCopy();
      COMMON.forEach(options::remove);
      expandEnvironment(id, options);
      Set<String> consent = null;
      if (entry.has("consent")) {
        consent = new LinkedHashSet<>();
        for (JsonNode purpose : entry.get("consent")) {
          consent.add(purpose.asText());
        }
      }
      Map<String, String> eventNames = new LinkedHashMap<>();
      entry.path("events").fields().forEachRemaining(e -> eventNames.put(e.getKey(), e.getValue().asText()));
      DestinationConfig config = new DestinationConfig(id, type, entry.path("paused").asBoolean(false),
          consent == null ? null : Set.copyOf(consent), filter(id, entry.path("filter")), Map.copyOf(eventNames),
          entry.path("max-events").asInt(0), duration(id, entry, "linger", Duration.ofMillis(200)),
          Math.max(1, entry.path("concurrency").asInt(defaultConcurrency(type))), duration(id, entry, "timeout", Duration.ofSeconds(10)),
          options);
      String http2 = config.option("http2", "false");
      if (!http2.equals("true") && !http2.equals("false")) {
        throw new IllegalArgumentException("destination '" + id + "': http2 is true or false, not '" + http2 + "'");
      }
      String unknownConsent = config.option("unknown-consent", "deny");
      if (!unknownConsent.equals("deny") && !unknownConsent.equals("grant")) {
        throw new IllegalArgumentException("destination '" + id + "': unknown-consent is deny or grant, not '"
            + unknownConsent + "'");
      }
      create(config); // fails now on a missing setting
      configs.add(config);
    }
    return configs;
  }

  /** Secrets stay out of the config file: {@code api-secret: ${GA4_API_SECRET}} reads the environment. */
  private static void expandEnvironment(String id, ObjectNode options) {
    options.fields().forEachRemaining(field -> {
      if (field.getValue().isTextual()) {
        Matcher m = ENV.matcher(field.getValue().asText());
        if (m.matches()) {
          String value = System.getenv(m.group(1));
          if (value == null) {
            throw new IllegalArgumentException("destination '" + id + "': " + field.getKey() + " refers to the"
                + " environment variable " + m.group(1) + ", which is not set");
          }
          field.setValue(options.textNode(value));
        }
      }
    });
  }

  /**
   * GA4 takes one visitor per request, so its requests carry about one event each: at 50 ms per
   * request four in flight would deliver only ~80 events/s. The others batch hundreds per request.
   */
  private static int defaultConcurrency(String type) {
    return "ga4".equals(type) ? 32 : 4;
  }

  private static EventFilter filter(String id, JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return EventFilter.ALL;
    }
    Map<String, String> properties = new LinkedHashMap<>();
    node.path("properties").fields().forEachRemaining(e -> properties.put(e.getKey(), e.getValue().asText()));
    return new EventFilter(strings(node.path("types")), strings(node.path("events")),
        strings(node.path("exclude-events")), Map.copyOf(properties));
  }

  private static Set<String> strings(JsonNode node) {
    Set<String> set = new LinkedHashSet<>();
    if (node.isTextual()) {
      set.add(node.asText());
    }
    node.forEach(n -> set.add(n.asText()));
    return Set.copyOf(set);
  }

  private static Duration duration(String id, JsonNode entry, String field, Duration fallback) {
    if (!entry.has(field)) {
      return fallback;
    }
    Matcher m = DURATION.matcher(entry.get(field).asText().trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("destination '" + id + "': " + field + " must look like 200ms, 10s or 5m");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
