package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sessions view over events written through the standard pipeline. */
class SessionsViewTest {

  @TempDir
  Path dir;

  private DuckDbWarehouse warehouse;
  private final List<LoggedEvent> batch = new ArrayList<>();
  // Unique per run: the test pipeline's session state lives as long as the JVM.
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void open() {
    warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), new SimpleMeterRegistry());
  }

  @AfterEach
  void close() {
    warehouse.close();
  }

  private LoggedEvent add(String visitor, String at, String json) {
    String full = json.replace("{", "{\"anonymousId\":\"" + visitor + "-" + run + "\",\"timestamp\":\"" + at + "\","
        + "\"messageId\":\"" + UUID.randomUUID() + "\",");
    long receivedAt = java.time.Instant.parse(at).plusSeconds(1).toEpochMilli();
    LoggedEvent logged = TestEvents.logged(TestEvents.received("web", full, receivedAt), 0, batch.size());
    batch.add(logged);
    return logged;
  }

  private LoggedEvent page(String visitor, String at, String url) {
    return add(visitor, at, "{\"type\":\"page\",\"context\":{\"page\":{\"url\":\"" + url + "\"}}}");
  }

  private void order(String visitor, String at, String properties) {
    add(visitor, at, "{\"type\":\"track\",\"event\":\"Order Completed\",\"properties\":" + properties + "}");
  }

  @Test
  void eachSessionHasItsPagesDurationChannelCampaignBounceAndRevenue() throws Exception {
    LoggedEvent landing = page("a", "2025-06-02T10:00:00Z",
        "https://shop.example/landing?utm_source=google&utm_medium=cpc&utm_campaign=spring");
    landing.enriched().channel = "paid_search"; // set by the referrer step, another engineer's
    add("a", "2025-06-02T10:02:00Z", "{\"type\":\"track\",\"event\":\"Product Viewed\","
        + "\"context\":{\"page\":{\"url\":\"https://shop.example/p/shoes\"}}}");
    page("a", "2025-06-02T10:03:00Z", "https://shop.example/p/shoes").enriched().channel = "internal";
    page("a", "2025-06-02T10:07:00Z", "https://shop.example/checkout");
    order("a", "2025-06-02T10:08:00Z", "{\"order_id\":\"o-1\",\"revenue\":99.5,\"total\":120,\"currency\":\"EUR\"}");
    order("a", "2025-06-02T10:09:00Z", "{\"order_id\":\"o-2\",\"total\":\"45.10\",\"currency\":\"EUR\"}");
    page("b", "2025-06-02T11:00:00Z", "https://shop.example/blog/how-to-lace");
    page("c", "2025-06-02T12:00:00Z", "https://shop.example/p/socks");
    order("c", "2025-06-02T12:00:04Z", "{\"value\":12,\"currency\":\"USD\"}");
    order("c", "2025-06-02T12:00:05Z", "{\"revenue\":\"not a number\"}");
    page("a", "2025-06-02T14:00:00Z", "https://shop.example/");
    warehouse.write(new WarehouseBatch("warehouse", batch, List.of(), Map.of(0, (long) batch.size())));

    List<Map<String, Object>> sessions = Sql.rows(warehouse, "SELECT regexp_replace(visitor_id, '-.*', '') AS v,"
        + " session_number, entry_page, exit_page, pageviews, events, CAST(duration_seconds AS INTEGER) AS duration,"
        + " channel, utm_source, utm_medium, utm_campaign, bounce, orders, revenue, currency"
        + " FROM sessions ORDER BY started_at");
    assertThat(sessions).hasSize(4);
    assertThat(sessions.get(0)).containsEntry("v", "a").containsEntry("session_number", 1)
        .containsEntry("entry_page", "/landing").containsEntry("exit_page", "/checkout")
        .containsEntry("pageviews", 3L).containsEntry("events", 6L).containsEntry("duration", 540)
        .containsEntry("channel", "paid_search").containsEntry("utm_source", "google")
        .containsEntry("utm_medium", "cpc").containsEntry("utm_campaign", "spring")
        .containsEntry("bounce", false).containsEntry("orders", 2L)
        .containsEntry("revenue", new BigDecimal("144.6")).containsEntry("currency", "EUR");
    assertThat(sessions.get(1)).containsEntry("v", "b").containsEntry("entry_page", "/blog/how-to-lace")
        .containsEntry("exit_page", "/blog/how-to-lace").containsEntry("pageviews", 1L).containsEntry("duration", 0)
        .containsEntry("bounce", true).containsEntry("orders", 0L).containsEntry("revenue", BigDecimal.ZERO);
    // One page and five seconds, but an order: engaged.
    assertThat(sessions.get(2)).containsEntry("v", "c").containsEntry("bounce", false).containsEntry("orders", 2L)
        .containsEntry("revenue", new BigDecimal("12")).containsEntry("currency", "USD");
    assertThat(sessions.get(3)).containsEntry("v", "a").containsEntry("session_number", 2).containsEntry("entry_page", "/");
  }
}
