package io.trackside.warehouse;

import java.util.List;

/**
 * One step of a funnel: a page view of a path, or a track event of a name, optionally with
 * conditions on the event's properties (all must hold).
 */
public record FunnelStep(Kind kind, String value, List<PropertyFilter> where) {
  static final int MAX_VALUE_LENGTH = 1_000;
  static final int MAX_WHERE = 10;

  public enum Kind { PAGE, EVENT }

  public FunnelStep {
    if (kind == null) {
      throw new IllegalArgumentException("a step is {\"page\": \"/path\"} or {\"event\": \"Event Name\"}");
    }
    if (value == null || value.isEmpty() || value.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException("a step's " + (kind == Kind.PAGE ? "page" : "event") + " must be 1 to "
          + MAX_VALUE_LENGTH + " characters");
    }
    where = where == null ? List.of() : List.copyOf(where);
    if (where.size() > MAX_WHERE) {
      throw new IllegalArgumentException("a step takes at most " + MAX_WHERE + " where conditions");
    }
  }

  /** What the dashboard shows for the step: the path or the event name. */
  public String label() {
    return value;
  }

  /** The SQL condition that an event of alias {@code e} is this step; appends its parameters. */
  String sql(String e, List<Object> params) {
    StringBuilder sql = new StringBuilder("(").append(test(e, params));
    for (PropertyFilter filter : where) {
      sql.append(" AND ").append(filter.sql(e, params));
    }
    return sql.append(')').toString();
  }

  /**
   * The step without its property filters: true for every event of the step and perhaps some
   * more, and cheap, since DuckDB pushes it down into the scan.
   */
  String candidate(String e, List<Object> params) {
    return "(" + test(e, params) + ")";
  }

  private String test(String e, List<Object> params) {
    params.add(value);
    return kind == Kind.PAGE
        ? e + ".type IN ('page', 'screen') AND " + e + ".page_path = ?"
        : e + ".type = 'track' AND " + e + ".event = ?";
  }
}
