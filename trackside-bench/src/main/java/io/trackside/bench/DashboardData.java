package io.trackside.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.warehouse.DuckDbWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Fills a warehouse file with a shop's worth of events for the dashboard benchmark, generated
 * inside DuckDB ({@code INSERT INTO events SELECT … FROM range(…)}): 10 million rows in about a
 * minute instead of hours through the pipeline. The file is created by {@link DuckDbWarehouse#open}
 * so the tables and views are exactly the product's.
 *
 * <p>Shape (all from hashes of the session number, so the same size gives the same data):
 * sessions over the last {@code days} days, busier around midday; 40 % single-page bounces, the
 * rest 2–15 events; visitors with several sessions (numbered); channels (organic 35 %, direct
 * 25 %, social 15 %, e-mail 10 %, paid search 10 %, referral 5 %) with campaigns and gclids;
 * 200 products viewed, searched, added (≈ 10 % of sessions abandon a cart) and ordered (≈ 3 %
 * of sessions, revenue in EUR); devices, browsers, 14 countries; 2 % bot sessions; logged-in
 * customers with identity links. Pages after the landing page are {@code internal}, as the
 * pipeline stores a shop's own referrer. Rows are inserted in time order, as a running
 * warehouse appends them.
 */
final class DashboardData {
  static final double EVENTS_PER_SESSION = 5.5;

  private DashboardData() {
  }

  /** Creates (or reuses, when it already holds {@code events} rows) the warehouse at {@code file}. */
  static long generate(Path file, long events, int days, long nowEpochSeconds) throws SQLException {
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file, new SimpleMeterRegistry());
         Connection db = warehouse.newConnection();
         Statement s = db.createStatement()) {
      long existing = count(s, "SELECT count(*) FROM events");
      if (existing >= events) {
        return existing;
      }
      if (existing > 0) {
        throw new IllegalStateException(file + " holds " + existing + " events, fewer than " + events
            + "; delete it to generate again");
      }
      long sessions = (long) Math.ceil(events / EVENTS_PER_SESSION * 1.02);
      long visitors = sessions * 2 / 5; // 2.5 sessions per visitor on average
      s.execute("SET threads = 2");
      s.execute("CREATE TEMP TABLE bench_sessions AS SELECT s, visitor, n, start_s, ch, conv, product, dev, geo, bot, q,"
          + " row_number() OVER (PARTITION BY visitor ORDER BY start_s)::INTEGER AS session_number,"
          + " (conv < 7 AND n >= 6 AND bot >= 2) AS converts,"
          + " (conv BETWEEN 7 AND 24 AND n >= 4 AND bot >= 2) AS abandons,"
          + " (q < 20 AND n >= 3) AS searches,"
          + " 20 + (hash(s, 'gap') % 60)::BIGINT AS gap"
          + " FROM (SELECT s,"
          + "   (hash(s, 'v') % " + visitors + ")::BIGINT AS visitor,"
          + "   CASE WHEN hash(s, 'n') % 100 < 40 THEN 1 ELSE 2 + (hash(s, 'm') % 14)::INTEGER END AS n,"
          + "   " + nowEpochSeconds + " - 900 - (hash(s, 'd') % " + days + ")::BIGINT * 86400"
          + "     - ((hash(s, 'h1') % 86400)::BIGINT + (hash(s, 'h2') % 86400)::BIGINT) // 2 AS start_s,"
          + "   (hash(s, 'c') % 100)::INTEGER AS ch, (hash(s, 'o') % 100)::INTEGER AS conv,"
          + "   (hash(s, 'p') % 200)::INTEGER AS product, (hash(s, 'x') % 100)::INTEGER AS dev,"
          + "   (hash(s, 'g') % 20)::INTEGER AS geo, (hash(s, 'b') % 100)::INTEGER AS bot,"
          + "   (hash(s, 'q') % 100)::INTEGER AS q"
          + " FROM range(" + sessions + ") t(s))");
      s.execute("INSERT INTO events (message_id, source, type, event, name, user_id, anonymous_id, timestamp,"
          + " original_timestamp, sent_at, received_at, page_url, page_host, page_path, page_referrer, page_title,"
          + " referrer_host, channel, referrer_source, utm_source, utm_medium, utm_campaign, click_ids, user_agent,"
          + " browser, os, device_class, is_bot, bot_reason, country, locale, ip, visitor_id, session_id,"
          + " session_number, library_name, properties, log_partition, log_offset)"
          + " SELECT 'bench-' || s || '-' || k, 'web', CASE WHEN event IS NULL THEN 'page' ELSE 'track' END, event,"
          + "   CASE WHEN event IS NULL THEN path END,"
          + "   CASE WHEN (visitor % 20 = 0 OR converts) AND k >= n - 2 AND bot >= 2 THEN 'user-' || visitor END,"
          + "   'v-' || visitor, ts, ts, ts, ts,"
          + "   'https://shop.example' || path || CASE WHEN k = 0 AND utm_source IS NOT NULL"
          + "     THEN '?utm_source=' || utm_source || '&utm_medium=' || utm_medium || '&utm_campaign=' || utm_campaign ELSE '' END,"
          + "   'shop.example', path,"
          + "   CASE WHEN k = 0 THEN CASE WHEN ref_host IS NOT NULL THEN 'https://' || ref_host || '/' END"
          + "     ELSE 'https://shop.example/' END,"
          + "   path, CASE WHEN k = 0 THEN ref_host ELSE 'shop.example' END,"
          + "   CASE WHEN k = 0 THEN channel ELSE 'internal' END, CASE WHEN k = 0 THEN ref_source ELSE 'shop.example' END,"
          + "   CASE WHEN k = 0 THEN utm_source END, CASE WHEN k = 0 THEN utm_medium END,"
          + "   CASE WHEN k = 0 THEN utm_campaign END,"
          + "   CASE WHEN k = 0 AND channel = 'paid_search' THEN json_object('gclid', 'Cj0KCQ' || md5(s::VARCHAR)) END,"
          + "   ua, browser, os, device, bot < 2, CASE WHEN bot < 2 THEN 'user_agent' END,"
          + "   ['DE','DE','DE','DE','DE','DE','US','US','US','GB','GB','FR','FR','NL','AT','CH','ES','IT','PL','SE'][geo + 1],"
          + "   'en-US', '84.150.12.0', 'v-' || visitor, md5(s::VARCHAR), session_number, 'analytics.js',"
          + "   CASE"
          + "     WHEN event = 'Order Completed' THEN json_object('order_id', 'ORD-' || s, 'revenue', price * qty,"
          + "       'currency', 'EUR', 'products', json_array(json_object('product_id', sku, 'price', price, 'quantity', qty)))"
          + "     WHEN event = 'Products Searched' THEN json_object('query', ['trail shoes','rain jacket','socks',"
          + "       'backpack','parka','gift card','unicorn slippers'][(s % 7)::INTEGER + 1])"
          + "     WHEN event IS NOT NULL THEN json_object('product_id', sku, 'name', 'Product ' || sku, 'price', price,"
          + "       'quantity', qty, 'currency', 'EUR')"
          + "   END,"
          + "   (s % 4)::INTEGER, s * 16 + k"
          + " FROM (SELECT *, make_timestamp((start_s + k * gap) * 1000000) AS ts,"
          + "   CASE WHEN event = 'Product Viewed' THEN 'SKU-' || ((product + k) % 200) ELSE 'SKU-' || product END AS sku,"
          + "   CASE"
          + "     WHEN event IN ('Checkout Started', 'Order Completed') THEN '/checkout'"
          + "     WHEN event = 'Products Searched' THEN '/search'"
          + "     WHEN event = 'Product Viewed' THEN '/p/sku-' || ((product + k) % 200)"
          + "     WHEN event = 'Product Added' THEN '/p/sku-' || product"
          + "     WHEN k = 0 THEN landing"
          + "     ELSE ['/', '/c/shoes', '/c/jackets', '/p/sku-' || ((product + k) % 200), '/p/sku-' || ((product + k) % 200),"
          + "       '/p/sku-' || ((product + k) % 200), '/p/sku-' || ((product + k) % 200), '/cart', '/c/accessories',"
          + "       '/search'][(hash(s, k) % 10)::INTEGER + 1]"
          + "   END AS path"
          + " FROM (SELECT *,"
          + "   CASE"
          + "     WHEN k = 0 THEN NULL"
          + "     WHEN converts AND k = n - 1 THEN 'Order Completed'"
          + "     WHEN converts AND k = n - 2 THEN 'Checkout Started'"
          + "     WHEN (converts AND k = n - 3) OR (abandons AND k = n - 1) THEN 'Product Added'"
          + "     WHEN searches AND k = 1 THEN 'Products Searched'"
          + "     WHEN k % 2 = 0 AND bot >= 2 THEN 'Product Viewed'"
          + "   END AS event"
          + " FROM (SELECT *, unnest(range(n)) AS k,"
          + "   CASE WHEN ch < 35 THEN 'organic_search' WHEN ch < 60 THEN 'direct' WHEN ch < 75 THEN 'social'"
          + "     WHEN ch < 85 THEN 'email' WHEN ch < 95 THEN 'paid_search' ELSE 'referral' END AS channel,"
          + "   CASE WHEN ch < 35 THEN ['www.google.com','www.google.com','www.google.de','www.bing.com','duckduckgo.com'][ch % 5 + 1]"
          + "     WHEN ch < 60 THEN NULL WHEN ch < 75 THEN ['l.facebook.com','www.instagram.com','www.reddit.com'][ch % 3 + 1]"
          + "     WHEN ch < 85 THEN NULL WHEN ch < 95 THEN 'www.google.com' ELSE 'outdoor-blog.example' END AS ref_host,"
          + "   CASE WHEN ch < 35 THEN ['google','google','google','bing','duckduckgo'][ch % 5 + 1]"
          + "     WHEN ch < 60 THEN NULL WHEN ch < 75 THEN ['facebook','instagram','reddit'][ch % 3 + 1]"
          + "     WHEN ch < 85 THEN 'newsletter' WHEN ch < 95 THEN 'google' ELSE 'outdoor-blog.example' END AS ref_source,"
          + "   CASE WHEN ch BETWEEN 75 AND 84 THEN 'newsletter' WHEN ch BETWEEN 85 AND 94 THEN 'google' END AS utm_source,"
          + "   CASE WHEN ch BETWEEN 75 AND 84 THEN 'email' WHEN ch BETWEEN 85 AND 94 THEN 'cpc' END AS utm_medium,"
          + "   CASE WHEN ch BETWEEN 75 AND 84 THEN ['november-sale','new-arrivals','winter-layers'][ch % 3 + 1]"
          + "     WHEN ch BETWEEN 85 AND 94 THEN ['brand-search','shoes-generic','black-friday'][ch % 3 + 1] END AS utm_campaign,"
          + "   CASE WHEN ch < 35 OR ch >= 95 THEN '/p/sku-' || product WHEN ch < 60 THEN '/'"
          + "     WHEN ch < 75 THEN '/blog/post-' || (s % 20) WHEN ch < 85 THEN '/c/jackets' ELSE '/p/sku-' || (product % 20) END AS landing,"
          + "   CASE WHEN bot < 2 THEN 'robot' WHEN dev < 55 THEN 'desktop' WHEN dev < 95 THEN 'phone' ELSE 'tablet' END AS device,"
          + "   CASE WHEN bot < 2 THEN 'Googlebot' WHEN dev < 55 THEN ['Chrome','Chrome','Firefox','Safari','Edge'][dev % 5 + 1]"
          + "     WHEN dev < 95 THEN ['Chrome','Safari','SamsungBrowser'][dev % 3 + 1] ELSE 'Safari' END AS browser,"
          + "   CASE WHEN bot < 2 THEN 'Cloud' WHEN dev < 55 THEN ['Windows NT','Windows NT','Linux','Mac OS','Windows NT'][dev % 5 + 1]"
          + "     WHEN dev < 95 THEN ['Android','iOS','Android'][dev % 3 + 1] ELSE 'iPadOS' END AS os,"
          + "   CASE WHEN bot < 2 THEN 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'"
          + "     ELSE 'Mozilla/5.0 (bench ' || dev || ')' END AS ua,"
          + "   (19 + (product * 37) % 190)::DOUBLE + 0.9 AS price, 1 + (s % 7 = 0)::INTEGER AS qty"
          + " FROM bench_sessions)))"
          // In time order, as a running warehouse appends events (in arrival order): the table's
          // blocks then cover short spans of time and a question about today skips the others.
          + " ORDER BY ts"
          + " LIMIT " + events);
      s.execute("INSERT INTO identities SELECT anonymous_id, user_id, min(timestamp), max(timestamp), 'web'"
          + " FROM events WHERE user_id IS NOT NULL GROUP BY anonymous_id, user_id");
      s.execute("DROP TABLE bench_sessions");
      s.execute("CHECKPOINT");
      return count(s, "SELECT count(*) FROM events");
    }
  }

  static long count(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** One line per measure, to print next to the timings: the data is what it claims to be. */
  static String describe(Path file) throws SQLException {
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file, new SimpleMeterRegistry());
         Connection db = warehouse.newConnection();
         PreparedStatement p = db.prepareStatement("SELECT count(*), count(DISTINCT session_id), count(DISTINCT visitor_id),"
             + " count(*) FILTER (WHERE event = 'Order Completed'), min(timestamp)::DATE, max(timestamp)::DATE,"
             + " count(DISTINCT channel), count(*) FILTER (WHERE is_bot) FROM events");
         ResultSet r = p.executeQuery()) {
      r.next();
      return String.format(java.util.Locale.ROOT, "%,d events, %,d sessions, %,d visitors, %,d orders, %s to %s,"
              + " %d channels, %,d bot events", r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getString(5),
          r.getString(6), r.getLong(7), r.getLong(8));
    }
  }
}
