package io.trackside.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.warehouse.FunnelRequest;
import io.trackside.warehouse.FunnelStep;
import io.trackside.warehouse.PropertyFilter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a funnel from a request body, and writes one back:
 * {@code {"steps": [{"page": "/"}, {"event": "Order Completed", "where": [{"property": "currency",
 * "op": "eq", "value": "EUR"}]}], "window": "session" | "Nd", "breakdown": "channel" | "utm_campaign"
 * | "device" | "none"}}. Anything unexpected is an {@link IllegalArgumentException} with a
 * message for a 400: unknown fields too, so that a typo is not silently ignored.
 */
final class FunnelJson {
  private static final Pattern DAYS = Pattern.compile("(\\d{1,3})d");
  private static final Set<String> FUNNEL_FIELDS = Set.of("steps", "window", "breakdown", "name");
  private static final Set<String> STEP_FIELDS = Set.of("page", "event", "where");
  private static final Set<String> WHERE_FIELDS = Set.of("property", "op", "value");

  private FunnelJson() {
  }

  static FunnelRequest read(JsonNode body) {
    if (body == null || !body.isObject()) {
      throw new IllegalArgumentException("the body must be a JSON object: {\"steps\": [...], \"window\": \"session\"}");
    }
    onlyFields(body, FUNNEL_FIELDS, "a funnel");
    JsonNode steps = body.get("steps");
    if (steps == null || !steps.isArray()) {
      throw new IllegalArgumentException("steps must be an array of {\"page\": ...} or {\"event\": ...}");
    }
    if (steps.size() > FunnelRequest.MAX_STEPS) {
      throw new IllegalArgumentException("a funnel has at most " + FunnelRequest.MAX_STEPS + " steps, got " + steps.size());
    }
    List<FunnelStep> parsed = new ArrayList<>();
    for (JsonNode step : steps) {
      parsed.add(step(step));
    }
    return new FunnelRequest(parsed, window(text(body, "window")), breakdown(text(body, "breakdown")));
  }

  private static FunnelStep step(JsonNode step) {
    if (!step.isObject()) {
      throw new IllegalArgumentException("a step is {\"page\": \"/path\"} or {\"event\": \"Event Name\"}");
    }
    onlyFields(step, STEP_FIELDS, "a step");
    String page = text(step, "page");
    String event = text(step, "event");
    if ((page == null) == (event == null)) {
      throw new IllegalArgumentException("a step names either a page or an event: {\"page\": \"/path\"} or"
          + " {\"event\": \"Event Name\"}");
    }
    List<PropertyFilter> where = new ArrayList<>();
    JsonNode conditions = step.get("where");
    if (conditions != null && !conditions.isNull()) {
      if (!conditions.isArray()) {
        throw new IllegalArgumentException("where must be an array of {\"property\", \"op\", \"value\"}");
      }
      for (JsonNode condition : conditions) {
        where.add(condition(condition));
      }
    }
    return page != null ? new FunnelStep(FunnelStep.Kind.PAGE, page, where)
        : new FunnelStep(FunnelStep.Kind.EVENT, event, where);
  }

  private static PropertyFilter condition(JsonNode condition) {
    if (!condition.isObject()) {
      throw new IllegalArgumentException("a where condition is {\"property\", \"op\", \"value\"}");
    }
    onlyFields(condition, WHERE_FIELDS, "a where condition");
    String op = text(condition, "op");
    if (op == null) {
      throw new IllegalArgumentException("a where condition needs an op: eq, neq, contains, gt or lt");
    }
    JsonNode value = condition.get("value");
    if (value == null || !value.isValueNode() || value.isNull()) {
      throw new IllegalArgumentException("a where condition needs a value: a string, number or boolean");
    }
    return new PropertyFilter(text(condition, "property"), PropertyFilter.Op.parse(op), value.asText());
  }

  private static Integer window(String window) {
    if (window == null || window.equals("session")) {
      return null;
    }
    Matcher m = DAYS.matcher(window);
    if (!m.matches()) {
      throw new IllegalArgumentException("window must be session or Nd (e.g. 7d), got '" + window + "'");
    }
    return Integer.parseInt(m.group(1));
  }

  private static String breakdown(String breakdown) {
    return breakdown == null || breakdown.equals("none") ? null : breakdown;
  }

  /** A string field, null when absent or JSON null; anything but a string is an error. */
  static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return value.asText();
  }

  private static void onlyFields(JsonNode node, Set<String> allowed, String what) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new IllegalArgumentException(what + " has no field '" + name + "'; fields: " + allowed);
      }
    }
  }

  /** The funnel as the API writes it (the same shape {@link #read} accepts). */
  static Map<String, Object> write(FunnelRequest funnel) {
    List<Object> steps = new ArrayList<>();
    for (FunnelStep step : funnel.steps()) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put(step.kind() == FunnelStep.Kind.PAGE ? "page" : "event", step.value());
      if (!step.where().isEmpty()) {
        List<Object> where = new ArrayList<>();
        for (PropertyFilter w : step.where()) {
          Map<String, Object> condition = new LinkedHashMap<>();
          condition.put("property", w.property());
          condition.put("op", w.op().wire());
          condition.put("value", w.value());
          where.add(condition);
        }
        s.put("where", where);
      }
      steps.add(s);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("steps", steps);
    out.put("window", funnel.window());
    out.put("breakdown", funnel.breakdown() == null ? "none" : funnel.breakdown());
    return out;
  }
}
