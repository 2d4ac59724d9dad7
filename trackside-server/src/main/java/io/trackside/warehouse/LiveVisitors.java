package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Who is on the site now: distinct visitors with an event in the last minutes, and each one's latest page. */
public final class LiveVisitors {
  public static final Duration WINDOW = Duration.ofMinutes(5);
  static final int MAX_PAGES = 20;

  public record Page(String page, long visitors) {
  }

  private LiveVisitors() {
  }

  /**
   * @param scope its bots setting and filters apply; its days are replaced by those the window
   *              touches (two around midnight)
   */
  public static Map<String, Object> query(Connection conn, StatsScope scope, Instant now) throws SQLException {
    Instant since = now.minus(WINDOW);
    StatsScope window = new StatsScope(LocalDate.ofInstant(since, scope.zone()), LocalDate.ofInstant(now, scope.zone()),
        scope.zone(), scope.includeBots(), scope.filters());
    List<Object> params = new ArrayList<>();
    String sql = "WITH recent AS (SELECT e.visitor_id,"
        + " arg_max(e.page_path, (e.timestamp, e.received_at, e.log_offset)) FILTER (WHERE e.type IN ('page', 'screen'))"
        + "   AS page"
        + " FROM events e WHERE " + window.eventCondition("e", params) + " AND e.timestamp >= make_timestamp(?)"
        + " AND e.visitor_id IS NOT NULL GROUP BY e.visitor_id)"
        + " SELECT page, count(*) AS visitors, sum(count(*)) OVER () AS total FROM recent GROUP BY page"
        + " ORDER BY visitors DESC, page NULLS LAST";
    params.add(StatsScope.utc(since));
    long[] total = {0};
    List<Page> pages = SqlRows.query(conn, sql, params, rs -> {
      total[0] = rs.getLong("total");
      return new Page(rs.getString("page"), rs.getLong("visitors"));
    });
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("visitors", total[0]);
    answer.put("pages", pages.size() > MAX_PAGES ? pages.subList(0, MAX_PAGES) : pages);
    answer.put("window", WINDOW.toString());
    return answer;
  }
}
