package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the warehouse holds for the range, bots included whatever the scope says: events stored,
 * how many are bots, and the quarantine by reason (by the time the record was received).
 */
public final class DataQuality {

  public record Reason(String reason, long count) {
  }

  private DataQuality() {
  }

  public static Map<String, Object> query(Connection conn, StatsScope scope) throws SQLException {
    List<Object> params = new ArrayList<>();
    params.add(StatsScope.utc(scope.start()));
    params.add(StatsScope.utc(scope.end()));
    Map<String, Object> answer = new LinkedHashMap<>();
    SqlRows.query(conn, "SELECT count(*) AS events, count(*) FILTER (WHERE is_bot) AS bots FROM events"
        + " WHERE timestamp >= make_timestamp(?) AND timestamp < make_timestamp(?)", params, rs -> {
          long events = rs.getLong("events");
          long bots = rs.getLong("bots");
          answer.put("events", events);
          answer.put("bots", bots);
          answer.put("botShare", events == 0 ? null : Math.round((double) bots / events * 10_000) / 10_000.0);
          return null;
        });
    List<Reason> reasons = SqlRows.query(conn, "SELECT reason, count(*) AS n FROM quarantine"
        + " WHERE received_at >= make_timestamp(?) AND received_at < make_timestamp(?)"
        + " GROUP BY reason ORDER BY n DESC, reason", params, rs -> new Reason(rs.getString("reason"), rs.getLong("n")));
    answer.put("quarantined", reasons.stream().mapToLong(Reason::count).sum());
    answer.put("quarantinedByReason", reasons);
    return answer;
  }
}
