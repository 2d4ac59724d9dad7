package io.trackside.warehouse;

import java.util.Map;

/**
 * The session properties of the {@code sessions} view as aggregate expressions over the events of
 * one session, for queries that group the events of a time range by {@code session_id} instead
 * of reading the view. The view recomputes window functions over every event ever stored; these
 * expressions read only the range (see RATIONALE.md, "Dashboard queries"). The results are the
 * same because a session never spans a midnight in the site's zone, and ranges are whole days.
 *
 * <p>{@code arg_min_null}, not {@code arg_min}: the view takes the first event's value even when it
 * is null, and {@code arg_min} would skip to the next non-null one.
 */
final class SessionColumns {
  /** Order of the events of a session, as the view orders them. */
  private static final String ORDER = "(%1$s.timestamp, %1$s.received_at, %1$s.log_offset)";
  private static final String PAGE = "%1$s.type IN ('page', 'screen')";

  /** Session dimension (as in {@link StatsScope#SESSION_DIMENSIONS}) → aggregate over events aliased %1$s. */
  private static final Map<String, String> EXPRESSIONS = Map.of(
      "channel", first("channel"),
      "referrer", first("referrer_source"),
      "utm_source", first("utm_source"),
      "utm_medium", first("utm_medium"),
      "utm_campaign", first("utm_campaign"),
      "entry_page", "coalesce(arg_min_null(%1$s.page_path, " + ORDER + ") FILTER (WHERE " + PAGE + "), "
          + "arg_min_null(%1$s.page_path, " + ORDER + "))",
      "exit_page", "coalesce(arg_max_null(%1$s.page_path, " + ORDER + ") FILTER (WHERE " + PAGE + "), "
          + "arg_max_null(%1$s.page_path, " + ORDER + "))");

  private SessionColumns() {
  }

  private static String first(String column) {
    return "arg_min_null(%1$s." + column + ", " + ORDER + ")";
  }

  /** The aggregate for a session dimension over the events aliased {@code alias}; the name is from a fixed map. */
  static String aggregate(String dimension, String alias) {
    String expression = EXPRESSIONS.get(dimension);
    if (expression == null) {
      throw new IllegalArgumentException("not a session dimension: " + dimension);
    }
    return String.format(expression, alias);
  }
}
