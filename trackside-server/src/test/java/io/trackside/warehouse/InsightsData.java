package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Seeds the events table directly (the columns the insight queries read), for tests whose answers
 * are worked out by hand. Rows get increasing {@code log_offset}s in the order they are added:
 * that is their arrival order, which the queries must ignore in favour of timestamps.
 */
public final class InsightsData {
  /** November 2026 in UTC: the range every insight test asks about. */
  public static final StatsScope NOVEMBER = new StatsScope(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 11, 30),
      ZoneOffset.UTC, false, Map.of());

  private final Connection conn;
  private long offset;

  public InsightsData(Connection conn) {
    this.conn = conn;
  }

  public Event page(String visitor, String session, String time, String path) {
    return new Event("page", null, path, visitor, session, time);
  }

  public Event track(String visitor, String session, String time, String event) {
    return new Event("track", event, null, visitor, session, time);
  }

  /** An anonymous id seen with a user id (as an identify would record it). */
  public void link(String anonymousId, String userId) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(
        "INSERT INTO identities VALUES (?, ?, TIMESTAMP '2026-10-01', TIMESTAMP '2026-10-01', 'test')")) {
      ps.setString(1, anonymousId);
      ps.setString(2, userId);
      ps.executeUpdate();
    }
  }

  /** One event; the visitor is its anonymous id (and visitor id) unless a user id is given. */
  public final class Event {
    private final String type;
    private final String event;
    private final String path;
    private final String visitor;
    private final String session;
    private final String time;
    private String userId;
    private String channel;
    private String campaign;
    private String device = "desktop";
    private String properties;
    private boolean bot;

    private Event(String type, String event, String path, String visitor, String session, String time) {
      this.type = type;
      this.event = event;
      this.path = path;
      this.visitor = visitor;
      this.session = session;
      this.time = time;
    }

    public Event user(String id) {
      userId = id;
      return this;
    }

    public Event channel(String value) {
      channel = value;
      return this;
    }

    public Event campaign(String value) {
      campaign = value;
      return this;
    }

    public Event device(String value) {
      device = value;
      return this;
    }

    public Event properties(String json) {
      properties = json;
      return this;
    }

    public Event bot() {
      bot = true;
      return this;
    }

    public void add() throws SQLException {
      long at = offset++;
      try (PreparedStatement ps = conn.prepareStatement("INSERT INTO events (message_id, source, type, event,"
          + " user_id, anonymous_id, timestamp, received_at, page_path, channel, utm_campaign, device_class, is_bot,"
          + " visitor_id, session_id, properties, log_partition, log_offset)"
          + " VALUES (?, 'test', ?, ?, ?, ?, make_timestamp(?), make_timestamp(?), ?, ?, ?, ?, ?, ?, ?, CAST(? AS JSON),"
          + " 0, ?)")) {
        long micros = StatsScope.utc(Instant.parse(time));
        ps.setString(1, "m" + at);
        ps.setString(2, type);
        ps.setString(3, event);
        ps.setString(4, userId);
        ps.setString(5, visitor);
        ps.setLong(6, micros);
        ps.setLong(7, micros);
        ps.setString(8, path);
        ps.setString(9, channel);
        ps.setString(10, campaign);
        ps.setString(11, device);
        ps.setBoolean(12, bot);
        ps.setString(13, visitor);
        ps.setString(14, session);
        ps.setString(15, properties == null ? "{}" : properties);
        ps.setLong(16, at);
        ps.executeUpdate();
      }
    }
  }
}
