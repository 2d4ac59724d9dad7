package io.trackside.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.trackside.core.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A compiled tracking plan: a JSON Schema per track event name (checked against the event's
 * {@code properties}), and optionally one schema for every page's or screen's properties and
 * for the traits of identify and group calls. Immutable once loaded, so every worker can share
 * it; a reload builds a new one.
 *
 * <p>The file (JSON, or YAML when it ends in .yml/.yaml):
 * <pre>{@code
 * {"events": {"Order Completed": {"type": "object", "required": ["order_id", "total"],
 *                                 "properties": {"order_id": {"type": "string"},
 *                                                "total": {"type": "number"}}}},
 *  "identify": {"properties": {"email": {"type": "string", "format": "email"}}}}
 * }</pre>
 *
 * <p>Every schema is checked against its JSON Schema meta-schema (2020-12 unless it names
 * another with {@code $schema}) and compiled when the plan is loaded, so a mistake stops the
 * start or the reload with the event's name, instead of surfacing as odd verdicts later.
 * Schemas are never fetched from the network: a {@code $ref} must point inside the schema.
 */
public final class TrackingPlan {

  /** What checking one event found. */
  public enum Outcome {
    /** The plan says nothing about this kind of event (a page call with no page schema, ...). */
    NOT_COVERED,
    PASSED,
    /** Violations were added to the list given to {@link #check}. */
    VIOLATED,
    /** A track event whose name the plan does not list. */
    UNPLANNED
  }

  static final int MAX_VIOLATIONS = 20;
  private static final Set<String> TOP_LEVEL_KEYS =
      Set.of("events", "page", "screen", "identify", "group", "description", "version", "$comment");
  private static final List<String> TYPE_KEYS = List.of("page", "screen", "identify", "group");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Path file;
  private final Instant loadedAt;
  private final JsonNode document;
  private final Map<String, Schema> events;
  private final Map<String, Schema> byType;

  private TrackingPlan(Path file, Instant loadedAt, JsonNode document, Map<String, Schema> events,
                       Map<String, Schema> byType) {
    this.file = file;
    this.loadedAt = loadedAt;
    this.document = document;
    this.events = events;
    this.byType = byType;
  }

  /** Reads and compiles the plan file. */
  public static TrackingPlan load(Path file) throws InvalidTrackingPlanException {
    String where = "tracking plan " + file.toAbsolutePath();
    JsonNode document;
    try {
      String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
      ObjectMapper mapper = name.endsWith(".yml") || name.endsWith(".yaml") ? YAML : JSON;
      document = mapper.readTree(Files.readString(file));
    } catch (JsonProcessingException e) {
      throw new InvalidTrackingPlanException(where + " is not valid " + (e.getClass().getName().contains("yaml")
          ? "YAML" : "JSON") + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidTrackingPlanException("cannot read " + where + ": " + e, e);
    }
    return compile(document, file, where);
  }

  /** Compiles a plan given as a JSON tree (the file's content). */
  static TrackingPlan compile(JsonNode document, Path file, String where) throws InvalidTrackingPlanException {
    if (document == null || !document.isObject()) {
      throw new InvalidTrackingPlanException(where + " must be an object such as {\"events\": {\"Order Completed\":"
          + " {...JSON Schema...}}}");
    }
    for (Iterator<String> keys = document.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!TOP_LEVEL_KEYS.contains(key)) {
        throw new InvalidTrackingPlanException(where + ": unknown key \"" + key + "\"; a plan has "
            + String.join(", ", new TreeSet<>(TOP_LEVEL_KEYS)));
      }
    }
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder
        .schemaLoader(loader -> loader.fetchRemoteResources(false))
        // A plan that says "format": "email" means it: check formats instead of only annotating them.
        .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    Map<String, Schema> events = new HashMap<>();
    JsonNode eventNodes = document.get("events");
    if (eventNodes != null && !eventNodes.isNull()) {
      if (!eventNodes.isObject()) {
        throw new InvalidTrackingPlanException(where + ": \"events\" must be an object of event name → JSON Schema");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = eventNodes.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        events.put(entry.getKey(), schema(registry, entry.getValue(),
            where + ": event \"" + entry.getKey() + "\""));
      }
    }
    Map<String, Schema> byType = new HashMap<>();
    for (String type : TYPE_KEYS) {
      JsonNode node = document.get(type);
      if (node != null && !node.isNull()) {
        byType.put(type, schema(registry, node, where + ": \"" + type + "\""));
      }
    }
    return new TrackingPlan(file, Instant.now(), document.deepCopy(), events, byType);
  }

  private static Schema schema(SchemaRegistry registry, JsonNode node, String what)
      throws InvalidTrackingPlanException {
    if (!node.isObject() && !node.isBoolean()) {
      throw new InvalidTrackingPlanException(what + ": the schema must be a JSON Schema object, got " + kind(node));
    }
    String dialect = node.path("$schema").asText("https://json-schema.org/draft/2020-12/schema");
    if (SpecificationVersion.fromDialectId(dialect).isEmpty()) {
      throw new InvalidTrackingPlanException(what + ": unknown \"$schema\" " + dialect
          + "; use a JSON Schema draft (4, 6, 7, 2019-09 or 2020-12)");
    }
    try {
      List<Error> metaErrors = registry.getSchema(SchemaLocation.of(dialect)).validate(node);
      if (!metaErrors.isEmpty()) {
        List<String> problems = new ArrayList<>();
        for (Error error : metaErrors.subList(0, Math.min(3, metaErrors.size()))) {
          String at = error.getInstanceLocation() == null ? "" : error.getInstanceLocation().toString();
          problems.add((at.isEmpty() ? "" : at + ": ") + error.getMessage());
        }
        throw new InvalidTrackingPlanException(what + " is not a valid JSON Schema: " + String.join("; ", problems));
      }
      Schema schema = registry.getSchema(node);
      schema.initializeValidators(); // resolves $refs and compiles patterns now, not on the first event
      return schema;
    } catch (RuntimeException e) {
      throw new InvalidTrackingPlanException(what + " cannot be compiled: " + e.getMessage(), e);
    }
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /**
   * Checks the event against its schema, adding short messages ({@code total: must be a
   * number}) to {@code violations}, at most {@value #MAX_VIOLATIONS}. Never throws: an error
   * inside the validator counts as a violation, so the event is not lost over it.
   */
  public Outcome check(Event event, List<String> violations) {
    String type = event.type();
    Schema schema;
    JsonNode subject;
    String root;
    if ("track".equals(type)) {
      String name = event.event();
      schema = name == null ? null : events.get(name);
      if (schema == null) {
        return Outcome.UNPLANNED;
      }
      subject = event.properties();
      root = "properties";
    } else {
      schema = type == null ? null : byType.get(type);
      if (schema == null) {
        return Outcome.NOT_COVERED;
      }
      boolean traits = type.equals("identify") || type.equals("group");
      subject = traits ? event.traits() : event.properties();
      root = traits ? "traits" : "properties";
    }
    List<Error> errors;
    try {
      errors = schema.validate(subject);
    } catch (RuntimeException e) {
      violations.add("could not be checked: " + shorten(e.toString()));
      return Outcome.VIOLATED;
    }
    if (errors.isEmpty()) {
      return Outcome.PASSED;
    }
    for (int i = 0; i < errors.size() && i < MAX_VIOLATIONS; i++) {
      violations.add(PlanViolationText.of(errors.get(i), root));
    }
    if (errors.size() > MAX_VIOLATIONS) {
      violations.add("… and " + (errors.size() - MAX_VIOLATIONS) + " more");
    }
    return Outcome.VIOLATED;
  }

  private static String shorten(String text) {
    return text.length() > PlanViolationText.MAX_CHARS ? text.substring(0, PlanViolationText.MAX_CHARS) : text;
  }

  public Path file() {
    return file;
  }

  public Instant loadedAt() {
    return loadedAt;
  }

  /** The planned track event names. */
  public Set<String> eventNames() {
    return Collections.unmodifiableSet(new TreeSet<>(events.keySet()));
  }

  /** The plan as it was read (for the API), a copy the caller may change. */
  public ObjectNode document() {
    return (ObjectNode) document.deepCopy();
  }
}
