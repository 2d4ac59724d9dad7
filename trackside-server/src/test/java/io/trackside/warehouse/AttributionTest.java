package io.trackside.warehouse;

import static io.trackside.warehouse.InsightsData.NOVEMBER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each attribution model on two buyers, worked out by hand.
 *
 * <p>Buyer ("buyer", on two devices) orders 100 on Nov 20 10:00 in a session that started 09:50
 * from paid_search/brand. Before it: Nov 12 email/black-friday, Nov 5 organic_search with no
 * campaign (on a laptop whose anonymous id is linked to "buyer"), and Oct 15 display/retargeting,
 * which is 36 days before the order: outside a 30-day look-back. Q (anonymous) orders 50 on
 * Nov 15 in their only session, from social/spring. Totals: 2 orders, 150.
 */
class AttributionTest {
  @TempDir
  java.nio.file.Path dir;
  private DuckDbWarehouse warehouse;
  private Connection conn;

  @BeforeEach
  void open() throws Exception {
    warehouse = DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), new SimpleMeterRegistry());
    conn = warehouse.newConnection();
    InsightsData data = new InsightsData(conn);
    data.link("laptop", "buyer");
    data.page("phone", "t0", "2026-10-15T10:00:00Z", "/").user("buyer").channel("display").campaign("retargeting").add();
    data.page("laptop", "t1", "2026-11-05T10:00:00Z", "/").channel("organic_search").add();
    data.page("laptop", "t1", "2026-11-05T10:01:00Z", "/shoes").channel("internal").add();
    data.page("phone", "t2", "2026-11-12T10:00:00Z", "/").user("buyer").channel("email").campaign("black-friday").add();
    data.page("phone", "t3", "2026-11-20T09:50:00Z", "/").user("buyer").channel("paid_search").campaign("brand").add();
    data.track("phone", "t3", "2026-11-20T10:00:00Z", "Order Completed").user("buyer").channel("internal")
        .properties("{\"revenue\": 100, \"currency\": \"EUR\"}").add();
    // A bot's session of the same user id is no touch.
    data.page("phone", "tb", "2026-11-19T10:00:00Z", "/").user("buyer").channel("referral").bot().add();
    data.page("q", "q1", "2026-11-15T10:00:00Z", "/").channel("social").campaign("spring").add();
    data.track("q", "q1", "2026-11-15T10:05:00Z", "Order Completed").properties("{\"total\": \"50\"}").add();
  }

  @AfterEach
  void close() throws Exception {
    conn.close();
    warehouse.close();
  }

  @Test
  void firstTouch() throws Exception {
    // Buyer's earliest touch within 30 days is organic_search (Nov 5); Q's only touch is social.
    AttributionResult result = run(AttributionRequest.Model.FIRST_TOUCH, AttributionRequest.By.CHANNEL, 30);
    assertThat(result.rows()).extracting(AttributionResult.Row::value, AttributionResult.Row::conversions,
        AttributionResult.Row::revenue).containsExactly(tuple("organic_search", 1.0, 100.0), tuple("social", 1.0, 50.0));
    assertThat(result.totalConversions()).isEqualTo(2);
    assertThat(result.totalRevenue()).isEqualTo(150.0);
  }

  @Test
  void lastTouch() throws Exception {
    AttributionResult result = run(AttributionRequest.Model.LAST_TOUCH, AttributionRequest.By.CHANNEL, 30);
    assertThat(result.rows()).extracting(AttributionResult.Row::value, AttributionResult.Row::conversions,
        AttributionResult.Row::revenue).containsExactly(tuple("paid_search", 1.0, 100.0), tuple("social", 1.0, 50.0));
  }

  @Test
  void linear() throws Exception {
    // Buyer: 3 touches, 1/3 each (33.33, answered to the cent; credits to 4 decimals); Q: 1 touch, all of it.
    AttributionResult result = run(AttributionRequest.Model.LINEAR, AttributionRequest.By.CHANNEL, 30);
    assertThat(result.rows()).hasSize(4);
    assertThat(result.rows().get(0)).isEqualTo(new AttributionResult.Row("social", 1.0, 50.0));
    for (AttributionResult.Row row : result.rows().subList(1, 4)) {
      assertThat(row.value()).isIn("organic_search", "email", "paid_search");
      assertThat(row.conversions()).isEqualTo(0.3333);
      assertThat(row.revenue()).isEqualTo(33.33);
    }
  }

  @Test
  void positionBased() throws Exception {
    // Buyer: 40 % first (organic 40), 40 % last (paid 40), 20 % the middle one (email 20); Q: all (social 50).
    AttributionResult result = run(AttributionRequest.Model.POSITION_BASED, AttributionRequest.By.CHANNEL, 30);
    assertThat(result.rows()).extracting(AttributionResult.Row::value, AttributionResult.Row::revenue)
        .containsExactly(tuple("social", 50.0), tuple("organic_search", 40.0), tuple("paid_search", 40.0),
            tuple("email", 20.0));
    assertThat(result.rows()).extracting(AttributionResult.Row::conversions).containsExactly(1.0, 0.4, 0.4, 0.2);
  }

  @Test
  void positionBasedWithTwoTouchesSplitsInHalves() throws Exception {
    // 10 days before Nov 20 10:00 is Nov 10 10:00: only email (Nov 12) and paid_search (Nov 20).
    AttributionResult result = run(AttributionRequest.Model.POSITION_BASED, AttributionRequest.By.CHANNEL, 10);
    assertThat(result.rows()).extracting(AttributionResult.Row::value, AttributionResult.Row::revenue)
        .containsExactly(tuple("social", 50.0), tuple("email", 50.0), tuple("paid_search", 50.0));
  }

  @Test
  void theLookBackDecidesWhetherAnOlderTouchCounts() throws Exception {
    // 60 days reach back to Sep 21: display (Oct 15) becomes the buyer's first touch.
    AttributionResult result = run(AttributionRequest.Model.FIRST_TOUCH, AttributionRequest.By.CHANNEL, 60);
    assertThat(result.rows()).extracting(AttributionResult.Row::value).containsExactly("display", "social");
    // 36 days (Oct 15 10:00 is exactly 36 days before) includes it; 35 does not.
    assertThat(run(AttributionRequest.Model.FIRST_TOUCH, AttributionRequest.By.CHANNEL, 36).rows())
        .extracting(AttributionResult.Row::value).containsExactly("display", "social");
    assertThat(run(AttributionRequest.Model.FIRST_TOUCH, AttributionRequest.By.CHANNEL, 35).rows())
        .extracting(AttributionResult.Row::value).containsExactly("organic_search", "social");
  }

  @Test
  void byCampaignWithNoneForSessionsWithoutOne() throws Exception {
    // Linear: organic had no campaign → (none) 1/3; black-friday 1/3; brand 1/3; spring 1.
    AttributionResult result = run(AttributionRequest.Model.LINEAR, AttributionRequest.By.CAMPAIGN, 30);
    assertThat(result.rows()).extracting(AttributionResult.Row::value)
        .containsExactlyInAnyOrder("spring", "(none)", "black-friday", "brand");
    assertThat(result.rows().get(0).value()).isEqualTo("spring");
  }

  private AttributionResult run(AttributionRequest.Model model, AttributionRequest.By by, int days) throws Exception {
    return Attribution.run(conn, NOVEMBER, new AttributionRequest(model, by, days));
  }
}
