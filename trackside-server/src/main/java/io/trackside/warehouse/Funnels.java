package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Funnel conversion in two passes over the events in range: one for the rows that may be step 1,
 * one for the rows that may only be a later step.
 *
 * <p>How a person is counted: their first event of step 1 in the range starts the attempt; each
 * next step is the earliest matching event after the previous step (timestamp order, not
 * arrival order), and within the window: the same session, or N days after step 1. With the
 * session window every session with step 1 makes an attempt and the person counts with their
 * best one (deepest, then earliest). People are {@code events_people.person_id}, so a logged-in
 * user on two devices counts once. A step must be strictly later than the previous one: two
 * steps at the same microsecond do not chain.
 *
 * <p>Why lists rather than a self-join per step: one GROUP BY collects, per person (or session),
 * step 2's first time after step 1 and the timestamps of each later step's matches; the chain is
 * then walked with
 * {@code list_min(list_filter(...))} per step, which costs a projection, not another scan or join.
 */
public final class Funnels {
  /** Breakdown values shown at most; the rest are left out (the totals still count them). */
  static final int MAX_SEGMENTS = 20;
  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private Funnels() {
  }

  public static FunnelResult run(Connection conn, StatsScope scope, FunnelRequest request) throws SQLException {
    List<Object> params = new ArrayList<>();
    String sql = sql(scope, request, params);
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      int n = request.steps().size();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long[] counts = new long[n];
          Double[] medians = new Double[n];
          for (int k = 0; k < n; k++) {
            counts[k] = rs.getLong(3 + k);
            double median = rs.getDouble(3 + n + k);
            medians[k] = rs.wasNull() ? null : median;
          }
          rows.add(new Row(rs.getBoolean(1), rs.getString(2), counts, medians));
        }
      }
    }
    List<FunnelStep> steps = request.steps();
    List<FunnelResult.Step> total = steps(steps, null);
    List<FunnelResult.Segment> segments = new ArrayList<>();
    for (Row row : rows) {
      if (row.total()) {
        total = steps(steps, row);
      } else if (segments.size() < MAX_SEGMENTS) {
        segments.add(new FunnelResult.Segment(row.value(), steps(steps, row)));
      }
    }
    return new FunnelResult(total, request.breakdown() == null ? List.of() : segments);
  }

  private record Row(boolean total, String value, long[] counts, Double[] medians) {
  }

  private static List<FunnelResult.Step> steps(List<FunnelStep> steps, Row row) {
    List<FunnelResult.Step> out = new ArrayList<>();
    long first = row == null ? 0 : row.counts()[0];
    for (int k = 0; k < steps.size(); k++) {
      long count = row == null ? 0 : row.counts()[k];
      long previous = k == 0 || row == null ? count : row.counts()[k - 1];
      out.add(new FunnelResult.Step(steps.get(k).label(), count,
          k == 0 ? (count > 0 ? 1.0 : 0.0) : ratio(count, previous), ratio(count, first),
          k == 0 ? 0 : previous - count, k == 0 || row == null ? null : row.medians()[k]));
    }
    return out;
  }

  private static double ratio(long part, long whole) {
    return whole == 0 ? 0.0 : (double) part / whole;
  }

  /** {@code s<from> OR … OR s<to>}: the row is one of these steps. */
  private static String any(int from, int to) {
    StringBuilder sql = new StringBuilder();
    for (int k = from; k <= to; k++) {
      sql.append(k == from ? "s" : " OR s").append(k);
    }
    return sql.toString();
  }

  /** The query; package-private so that the benchmark can run it alone. */
  static String sql(StatsScope scope, FunnelRequest request, List<Object> params) {
    List<FunnelStep> steps = request.steps();
    int n = steps.size();
    boolean perSession = request.sessionWindow();
    // Sessions and people are grouped by 64-bit hashes of their ids (IdHash), not the text: at
    // 10M events that halved the time and the memory (measured with DuckDB at a 192 MB limit).
    String group = perSession ? "sk" : "pk";
    String sessionKnown = perSession ? " AND e.session_id IS NOT NULL" : "";

    // a: the rows that may be step 1 (its cheap test: a pushed-down filter), with every step's
    // test, since such a row may also be a later step. Only these need the person (a join to
    // the identity links) when grouping per session.
    StringBuilder sql = new StringBuilder("WITH a AS (SELECT * FROM (SELECT ").append(IdHash.of("e.person_id"))
        .append(" AS pk, ").append(IdHash.of("e.session_id")).append(" AS sk, epoch_us(e.timestamp) AS t,")
        .append(" e.device_class AS device");
    for (int k = 0; k < n; k++) {
      sql.append(", ").append(steps.get(k).sql("e", params)).append(" AS s").append(k + 1);
    }
    sql.append(" FROM events_people e WHERE ").append(scope.eventCondition("e", params)).append(sessionKnown)
        .append(" AND ").append(steps.get(0).candidate("e", params)).append(") WHERE ").append(any(1, n)).append(')');
    // f: per session (or person), step 1's first time, and who, in which session and on what
    // device it was. Small fixed-size states: DuckDB runs with a small memory limit.
    sql.append(", f AS (SELECT ").append(group).append(", min(t) FILTER (WHERE s1) AS t1")
        .append(perSession ? ", arg_min(pk, t) FILTER (WHERE s1) AS person, sk AS start_session"
            : ", pk AS person, arg_min(sk, t) FILTER (WHERE s1) AS start_session")
        .append("device".equals(request.breakdown())
            ? ", arg_min(coalesce(device, '(none)'), t) FILTER (WHERE s1) AS start_device" : ", NULL AS start_device")
        .append(" FROM a GROUP BY ").append(group).append(" HAVING min(t) FILTER (WHERE s1) IS NOT NULL)");
    // r: the rows that may be a later step: a's, and the others (no join to the identity links
    // per session, since the person comes from step 1). A row whose step 1 test is NULL (its
    // page or event is NULL) can be no step either, so NOT needs no coalesce, which would keep
    // DuckDB from pushing the test down (10 % of the query).
    sql.append(", r AS (SELECT ").append(group).append(", t");
    for (int k = 2; k <= n; k++) {
      sql.append(", s").append(k);
    }
    sql.append(" FROM a WHERE ").append(any(2, n)).append(" UNION ALL SELECT * FROM (SELECT ")
        .append(perSession ? "hash(e.session_id)" : IdHash.of("e.person_id")).append(" AS ").append(group)
        .append(", epoch_us(e.timestamp) AS t");
    for (int k = 1; k < n; k++) {
      sql.append(", ").append(steps.get(k).sql("e", params)).append(" AS s").append(k + 1);
    }
    sql.append(perSession ? " FROM events e WHERE " : " FROM events_people e WHERE ")
        .append(scope.eventCondition("e", params)).append(sessionKnown).append(" AND (");
    for (int k = 1; k < n; k++) {
      sql.append(k == 1 ? "" : " OR ").append(steps.get(k).candidate("e", params));
    }
    sql.append(") AND NOT ").append(steps.get(0).candidate("e", params)).append(") WHERE ")
        .append(any(2, n)).append(')');
    // l: per session (or person) that made an attempt, the matches after step 1 and within the
    // window. Joining f first leaves out the groups without step 1 and the matches before it.
    // Step 2 is the first match after step 1: a min, not a list, for the step that usually has
    // the most matches; each later step's times are a list (unsorted: sorting per group was 80 %
    // of the query). Both together took a quarter off the 10M-event benchmark's funnel.
    long windowMicros = perSession ? Long.MAX_VALUE / 4 : request.windowDays() * MICROS_PER_DAY;
    sql.append(", l AS (SELECT r.").append(group).append(", min(r.t) FILTER (WHERE r.s2) AS t2");
    for (int k = 3; k <= n; k++) {
      sql.append(", list(r.t) FILTER (WHERE r.s").append(k).append(") AS l").append(k);
    }
    sql.append(" FROM r JOIN f ON r.").append(group).append(" = f.").append(group).append(" AND r.t > f.t1");
    if (!perSession) {
      sql.append(" AND r.t <= f.t1 + ").append(windowMicros);
    }
    sql.append(" GROUP BY r.").append(group).append("), g AS (SELECT f.*, l.t2");
    for (int k = 3; k <= n; k++) {
      sql.append(", l.l").append(k);
    }
    sql.append(" FROM f LEFT JOIN l ON l.").append(group).append(" = f.").append(group).append(')');
    // Walk the chain: step k is the first match after step k-1, no later than the window allows.
    sql.append(", c2 AS (SELECT * FROM g)");
    for (int k = 3; k <= n; k++) {
      sql.append(", c").append(k).append(" AS (SELECT *, list_min(list_filter(l").append(k)
          .append(", lambda x: x > t").append(k - 1).append(" AND x <= t1 + ").append(windowMicros)
          .append(")) AS t").append(k).append(" FROM c").append(k - 1).append(')');
    }
    sql.append(", d AS (SELECT person, start_session, start_device, CASE");
    for (int k = 2; k <= n; k++) {
      sql.append(" WHEN t").append(k).append(" IS NULL THEN ").append(k - 1);
    }
    sql.append(" ELSE ").append(n).append(" END AS depth");
    for (int k = 1; k <= n; k++) {
      sql.append(", t").append(k);
    }
    sql.append(" FROM c").append(n).append(')');
    // One attempt per person: with the session window, their deepest session, then the earliest
    // (to the second). Plain arg_max over one BIGINT key, not a window or a struct: at 10M events
    // a struct-valued arg_max cost half as much again as the rest of the query.
    if (perSession) {
      String key = "depth * 4503599627370496 - t1 // 1000000"; // depth · 2^52 − step 1 in epoch seconds
      sql.append(", best AS (SELECT person, max(depth) AS depth, arg_max(start_session, key) AS start_session,")
          .append(" arg_max(coalesce(start_device, '(none)'), key) AS start_device");
      for (int k = 1; k <= n; k++) {
        // A null t_k is skipped by arg_max, but then the best session's depth is below k and
        // the medians below only read t_k where depth ≥ k.
        sql.append(", arg_max(t").append(k).append(", key) AS t").append(k);
      }
      sql.append(" FROM (SELECT *, ").append(key).append(" AS key FROM d) GROUP BY person)");
    } else {
      sql.append(", best AS (SELECT * FROM d)");
    }

    String value = "NULL";
    String from = " FROM best";
    if (request.breakdown() != null) {
      String column = FunnelRequest.BREAKDOWNS.get(request.breakdown());
      if (column.equals("device_class")) {
        value = "coalesce(start_device, '(none)')";
      } else {
        // Acquisition is the session's: its first event's, as the sessions view has it. Read
        // only the sessions that started an attempt; a session may begin before the range.
        // arg_min of a struct keeps a NULL value (a plain arg_min would skip it) and, unlike
        // first(... ORDER BY ...), needs no sort per session.
        sql.append(", sa AS (SELECT hash(session_id) AS sk, arg_min({'v': ").append(column)
            .append("}, timestamp).v AS v FROM events")
            .append(" WHERE timestamp >= make_timestamp(?) - INTERVAL 1 DAY AND timestamp < make_timestamp(?)")
            .append(" AND hash(session_id) IN (SELECT start_session FROM best) GROUP BY hash(session_id))");
        params.add(StatsScope.utc(scope.start()));
        params.add(StatsScope.utc(scope.end()));
        value = "coalesce(sa.v, '(none)')";
        from = " FROM best LEFT JOIN sa ON sa.sk = best.start_session";
      }
    }
    sql.append(" SELECT GROUPING(value) = 1 AS total, value");
    for (int k = 1; k <= n; k++) {
      sql.append(", count(*) FILTER (WHERE depth >= ").append(k).append(')');
    }
    for (int k = 1; k <= n; k++) {
      if (k == 1) {
        sql.append(", NULL");
      } else {
        sql.append(", median((t").append(k).append(" - t").append(k - 1).append(") / 1e6) FILTER (WHERE depth >= ")
            .append(k).append(')');
      }
    }
    sql.append(" FROM (SELECT *, ").append(value).append(" AS value").append(from).append(") b")
        .append(" GROUP BY GROUPING SETS ((), (value)) ORDER BY total DESC, 3 DESC, value");
    return sql.toString();
  }
}
