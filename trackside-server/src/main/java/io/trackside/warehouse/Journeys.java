package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The paths people take within a session from a start (a page or an event) or to it.
 *
 * <p>A session's steps are its page views (labelled by path) and track events (by name) in
 * timestamp order; a step repeating the one before it (a reload, the same event twice) is
 * collapsed into one. The journey is anchored at the session's first occurrence of the start,
 * and looks {@code depth} steps after it or before it. Only the sessions that contain the start,
 * and in them only the events on the side of it that is asked for, are sorted: a rare start is
 * cheap; a common one costs one sorted pass over half the range.
 */
public final class Journeys {
  /** Labels kept per step; the rest are summed into {@link #OTHER} so the diagram stays legible. */
  static final int LABELS_PER_STEP = 10;
  static final int TOP = 10;
  static final String OTHER = "(other)";

  private Journeys() {
  }

  public static JourneyResult run(Connection conn, StatsScope scope, JourneyRequest request) throws SQLException {
    List<Object> params = new ArrayList<>();
    String sql = sql(scope, request, params);
    // (step, label, neighbour) → sessions; the neighbour is the label one step closer to the start.
    List<Object[]> rows = new ArrayList<>();
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Object[] {rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4)});
        }
      }
    }
    return diagram(rows, request);
  }

  private static JourneyResult diagram(List<Object[]> rows, JourneyRequest request) {
    // Sessions per (step, label), to pick the labels each step keeps.
    Map<Integer, Map<String, Long>> perStep = new HashMap<>();
    for (Object[] row : rows) {
      perStep.computeIfAbsent((Integer) row[0], s -> new HashMap<>()).merge((String) row[1], (Long) row[3], Long::sum);
    }
    Map<Integer, Set<String>> kept = new HashMap<>();
    perStep.forEach((step, labels) -> kept.put(step, new HashSet<>(labels.entrySet().stream()
        .sorted(byCountThenLabel()).limit(LABELS_PER_STEP).map(Map.Entry::getKey).toList())));

    Map<String, JourneyResult.Node> nodes = new LinkedHashMap<>();
    Map<String, Long> links = new LinkedHashMap<>();
    for (Object[] row : rows) {
      int step = (Integer) row[0];
      String label = shown(kept, step, (String) row[1]);
      long sessions = (Long) row[3];
      String id = step + ":" + label;
      JourneyResult.Node old = nodes.get(id);
      nodes.put(id, new JourneyResult.Node(id, step, label, sessions + (old == null ? 0 : old.sessions())));
      if (step > 0 && row[2] != null) {
        String neighbour = (step - 1) + ":" + shown(kept, step - 1, (String) row[2]);
        String link = request.next() ? neighbour + "\n" + id : id + "\n" + neighbour;
        links.merge(link, sessions, Long::sum);
      }
    }
    List<JourneyResult.Node> nodeList = new ArrayList<>(nodes.values());
    nodeList.sort(Comparator.comparingInt(JourneyResult.Node::step)
        .thenComparing(Comparator.comparingLong(JourneyResult.Node::sessions).reversed())
        .thenComparing(JourneyResult.Node::label));
    List<JourneyResult.Link> linkList = new ArrayList<>();
    links.forEach((key, sessions) -> {
      int cut = key.indexOf('\n');
      linkList.add(new JourneyResult.Link(key.substring(0, cut), key.substring(cut + 1), sessions));
    });
    linkList.sort(Comparator.comparingLong(JourneyResult.Link::sessions).reversed()
        .thenComparing(JourneyResult.Link::source).thenComparing(JourneyResult.Link::target));

    long started = perStep.getOrDefault(0, Map.of()).values().stream().mapToLong(Long::longValue).sum();
    List<JourneyResult.Top> top = perStep.getOrDefault(1, Map.of()).entrySet().stream()
        .sorted(byCountThenLabel()).limit(TOP)
        .map(e -> new JourneyResult.Top(e.getKey(), e.getValue(), started == 0 ? 0.0 : (double) e.getValue() / started))
        .toList();
    return new JourneyResult(nodeList, linkList, top);
  }

  private static Comparator<Map.Entry<String, Long>> byCountThenLabel() {
    return Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey());
  }

  private static String shown(Map<Integer, Set<String>> kept, int step, String label) {
    Set<String> labels = kept.get(step);
    return labels == null || labels.contains(label) ? label : OTHER;
  }

  static String sql(StatsScope scope, JourneyRequest request, List<Object> params) {
    String order = "timestamp, received_at, log_offset";
    // When each session first reached the start; sessions are keyed by a 64-bit hash of their id
    // (cheaper to partition and sort by than the text; a collision among millions is ~1 in 10^7).
    StringBuilder sql = new StringBuilder("WITH a AS (SELECT hash(a.session_id) AS sk, min(a.timestamp) AS at")
        .append(" FROM events a WHERE ").append(scope.eventCondition("a", params))
        .append(" AND a.session_id IS NOT NULL AND ")
        .append(new FunnelStep(request.startKind(), request.start(), List.of()).sql("a", params))
        .append(" GROUP BY sk)");
    // Only the part of those sessions on the side of the start we look at: half the rows to sort.
    sql.append(", ev AS (SELECT a.sk, e.timestamp, e.received_at, e.log_offset, e.type = 'track' AS is_event,")
        .append(" CASE WHEN e.type = 'track' THEN e.event ELSE e.page_path END AS label")
        .append(" FROM events e JOIN a ON a.sk = hash(e.session_id) WHERE ").append(scope.eventCondition("e", params))
        .append(" AND e.session_id IS NOT NULL AND ((e.type IN ('page', 'screen') AND e.page_path IS NOT NULL)")
        .append(" OR (e.type = 'track' AND e.event IS NOT NULL)) AND e.timestamp ")
        .append(request.next() ? ">=" : "<=").append(" a.at)")
        // Collapse a step that repeats the one before it.
        // (rn comes from the same sort as lag; numbering the collapsed steps then sorts by one
        // integer instead of three columns.)
        .append(", c AS (SELECT sk, is_event, label, row_number() OVER w AS rn, label IS DISTINCT FROM lag(label)")
        .append(" OVER w OR is_event IS DISTINCT FROM lag(is_event) OVER w AS changed FROM ev")
        .append(" WINDOW w AS (PARTITION BY sk ORDER BY ").append(order).append("))")
        .append(", s AS (SELECT sk, is_event, label, row_number() OVER (PARTITION BY sk ORDER BY rn) AS n")
        .append(" FROM c WHERE changed)")
        // The anchor: the first occurrence of the start (an event at the same instant may precede it).
        .append(", an AS (SELECT sk, min(n) AS anchor FROM s WHERE is_event = ? AND label = ? GROUP BY sk)");
    params.add(request.startKind() == FunnelStep.Kind.EVENT);
    params.add(request.start());
    if (request.next()) {
      sql.append(", p AS (SELECT s.*, an.anchor FROM s JOIN an USING (sk)")
          .append(" WHERE s.n >= an.anchor AND s.n <= an.anchor + ?)");
    } else {
      sql.append(", p AS (SELECT s.*, an.anchor FROM s JOIN an USING (sk)")
          .append(" WHERE s.n <= an.anchor AND s.n >= an.anchor - ?)");
    }
    params.add(request.depth());
    // The neighbour is the step one closer to the start: before it in time going forwards, after it going back.
    sql.append(" SELECT step, label, neighbour, count(*) FROM (SELECT abs(n - anchor) AS step, label,")
        .append(" lag(label) OVER (PARTITION BY sk ORDER BY n").append(request.next() ? "" : " DESC")
        .append(") AS neighbour FROM p) GROUP BY ALL");
    return sql.toString();
  }
}
