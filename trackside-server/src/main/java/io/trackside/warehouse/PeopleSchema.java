package io.trackside.warehouse;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tables and views about people: identities (anonymous id ↔ user id links), suppressions
 * and the privacy audit; and the views {@code sessions}, {@code identity_links} and
 * {@code events_people} derived from the events.
 *
 * <p>Sessions and people are views rather than tables: always consistent with the events
 * (a deletion or a late event needs no second write), nothing to keep in sync, and written
 * in SQL that also runs on PostgreSQL except for {@code TRY_CAST}, which PostgreSQL lacks.
 * Views are recreated on every start so they follow columns added to {@code events}.
 */
final class PeopleSchema {

  /** The amount of an {@code Order Completed}: revenue, else total, else value; non-numbers are ignored. */
  static final String ORDER_AMOUNT = "coalesce(TRY_CAST(properties->>'revenue' AS DECIMAL(18,4)),"
      + " TRY_CAST(properties->>'total' AS DECIMAL(18,4)), TRY_CAST(properties->>'value' AS DECIMAL(18,4)))";

  private PeopleSchema() {
  }

  static void create(Connection conn) throws SQLException {
    try (Statement s = conn.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS identities (anonymous_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL,"
          + " first_seen TIMESTAMP NOT NULL, last_seen TIMESTAMP NOT NULL, source VARCHAR,"
          + " PRIMARY KEY (anonymous_id, user_id))");
      s.execute("COMMENT ON TABLE identities IS 'anonymous id (or an alias''s previousId) seen with a user id; written"
          + " with the events, first_seen/last_seen are UTC event times, source is where the link was first seen'");
      s.execute("CREATE TABLE IF NOT EXISTS suppressions (id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL,"
          + " suppressed_at TIMESTAMP NOT NULL)");
      s.execute("COMMENT ON TABLE suppressions IS 'ids whose events are no longer stored (erasure); kind is user_id"
          + " or anonymous_id; an id matches an event''s userId, anonymousId and previousId alike'");
      s.execute("CREATE SEQUENCE IF NOT EXISTS privacy_audit_id");
      s.execute("CREATE TABLE IF NOT EXISTS privacy_audit (id BIGINT PRIMARY KEY DEFAULT nextval('privacy_audit_id'),"
          + " requested_at TIMESTAMP NOT NULL, actor VARCHAR NOT NULL, action VARCHAR NOT NULL, request VARCHAR,"
          + " user_ids JSON, anonymous_ids JSON, events_deleted BIGINT, quarantine_deleted BIGINT,"
          + " identities_deleted BIGINT)");
      s.execute("COMMENT ON TABLE privacy_audit IS 'every deletion: when (UTC), who, what was asked, which ids"
          + " were deleted and suppressed, and how many rows went'");

      // One user per anonymous id: the first it was linked to. On a shared device the anonymous
      // events before the first login most likely belong to whoever logged in first.
      s.execute("CREATE OR REPLACE VIEW identity_links AS SELECT anonymous_id, user_id FROM ("
          + " SELECT anonymous_id, user_id, row_number() OVER (PARTITION BY anonymous_id"
          + " ORDER BY first_seen, user_id) AS nth FROM identities) ranked WHERE nth = 1");
      // person_id: the user id the event carries or its anonymous id is linked to, followed one
      // more hop through an alias (old user id → new); else the visitor id.
      s.execute("CREATE OR REPLACE VIEW events_people AS"
          + " SELECT known.*, coalesce(renamed.user_id, known.known_user_id, known.visitor_id) AS person_id"
          + " FROM (SELECT e.*, coalesce(e.user_id, linked.user_id) AS known_user_id FROM events e"
          + "   LEFT JOIN identity_links linked ON linked.anonymous_id = e.anonymous_id) known"
          + " LEFT JOIN identity_links renamed ON renamed.anonymous_id = known.known_user_id");

      s.execute("CREATE OR REPLACE VIEW sessions AS"
          + " WITH e AS (SELECT session_id, visitor_id, user_id, session_number, timestamp, type, event, page_path,"
          + "   channel, referrer_source, utm_source, utm_medium, utm_campaign, properties, is_bot,"
          + "   row_number() OVER (PARTITION BY session_id ORDER BY timestamp, received_at, log_offset) AS nth,"
          + "   row_number() OVER (PARTITION BY session_id ORDER BY timestamp DESC, received_at DESC,"
          + "     log_offset DESC) AS nth_from_end,"
          + "   CASE WHEN type IN ('page', 'screen') THEN row_number() OVER (PARTITION BY session_id,"
          + "     type IN ('page', 'screen') ORDER BY timestamp, received_at, log_offset) END AS page_nth,"
          + "   CASE WHEN type IN ('page', 'screen') THEN row_number() OVER (PARTITION BY session_id,"
          + "     type IN ('page', 'screen') ORDER BY timestamp DESC, received_at DESC, log_offset DESC) END"
          + "     AS page_nth_from_end"
          + "   FROM events WHERE session_id IS NOT NULL),"
          + " s AS (SELECT session_id,"
          + "   max(visitor_id) AS visitor_id,"
          + "   max(user_id) AS user_id,"
          + "   max(session_number) AS session_number,"
          + "   min(timestamp) AS started_at,"
          + "   max(timestamp) AS ended_at,"
          + "   coalesce(max(CASE WHEN page_nth = 1 THEN page_path END),"
          + "     max(CASE WHEN nth = 1 THEN page_path END)) AS entry_page,"
          + "   coalesce(max(CASE WHEN page_nth_from_end = 1 THEN page_path END),"
          + "     max(CASE WHEN nth_from_end = 1 THEN page_path END)) AS exit_page,"
          + "   count(page_nth) AS pageviews,"
          + "   count(*) AS events,"
          + "   max(CASE WHEN nth = 1 THEN channel END) AS channel,"
          + "   max(CASE WHEN nth = 1 THEN referrer_source END) AS referrer_source,"
          + "   max(CASE WHEN nth = 1 THEN utm_source END) AS utm_source,"
          + "   max(CASE WHEN nth = 1 THEN utm_medium END) AS utm_medium,"
          + "   max(CASE WHEN nth = 1 THEN utm_campaign END) AS utm_campaign,"
          + "   count(CASE WHEN type = 'track' AND event = 'Order Completed' THEN 1 END) AS orders,"
          + "   coalesce(sum(CASE WHEN type = 'track' AND event = 'Order Completed' THEN " + ORDER_AMOUNT + " END), 0)"
          + "     AS revenue,"
          + "   max(CASE WHEN type = 'track' AND event = 'Order Completed' THEN properties->>'currency' END)"
          + "     AS currency,"
          + "   bool_or(coalesce(is_bot, false)) AS is_bot"
          + "   FROM e GROUP BY session_id)"
          + " SELECT session_id, visitor_id, user_id, session_number, started_at, ended_at,"
          + "   EXTRACT(epoch FROM ended_at - started_at) AS duration_seconds,"
          + "   entry_page, exit_page, pageviews, events, channel, referrer_source, utm_source, utm_medium,"
          + "   utm_campaign,"
          // Not engaged, as GA4 counts it: under 2 page views, under 10 seconds, no order.
          + "   pageviews < 2 AND EXTRACT(epoch FROM ended_at - started_at) < 10 AND orders = 0 AS bounce,"
          + "   orders, revenue, currency, is_bot"
          + " FROM s");
    }
  }
}
