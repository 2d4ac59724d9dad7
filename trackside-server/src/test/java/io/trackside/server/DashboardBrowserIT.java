package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser (Debian's headless Chromium): sign in through the form, open
 * every page, compare what a page shows with the API's JSON, watch a new event arrive on Live,
 * and a hostile event name shown as text. Screenshots of every page go to target/screenshots/.
 */
class DashboardBrowserIT {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  private static final String PASSWORD = "dashboard-browser-test";
  private static final String HOSTILE = "<img src=x onerror=alert(1)>";
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  @TempDir
  Path dir;

  private TestNode trackside;
  private ChromeDriver browser;
  private DashboardBrowser page;

  @BeforeEach
  void start() throws Exception {
    Engines.require("chromium chromium-driver", CHROMIUM, CHROMEDRIVER);
    trackside = TestNode.start(dir, Map.of("dashboard.password", PASSWORD));
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--window-size=1300,1000");
    browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).build(), options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
    Files.createDirectories(SCREENSHOTS);
    page = new DashboardBrowser(browser, trackside, SCREENSHOTS);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (trackside != null) {
      trackside.close();
    }
  }

  @Test
  void signInOpenEveryPageAndWatchEventsArriveAsText() throws Exception {
    // A page without a session sends the browser to the sign-in form.
    browser.get(trackside.url("/funnels"));
    page.until(d -> d.getCurrentUrl().endsWith("/login"));
    browser.findElement(By.id("password")).sendKeys("not the password");
    browser.findElement(By.cssSelector("#login button")).click();
    page.until(d -> d.findElement(By.id("login-error")).getText().equals("Wrong password."));
    page.screenshot("login");
    browser.findElement(By.id("password")).clear();
    browser.findElement(By.id("password")).sendKeys(PASSWORD);
    browser.findElement(By.cssSelector("#login button")).click();
    page.until(d -> d.getCurrentUrl().equals(trackside.url("/")));

    // Live first, so that events sent now are seen arriving.
    page.open("/live");
    page.until(d -> d.findElement(By.id("stream-status")).getText().equals("connected"));
    trackside.post("/v1/track", "{\"type\":\"track\",\"event\":\"Browser Test Event\",\"anonymousId\":\"b-1\","
        + "\"context\":{\"page\":{\"url\":\"https://shop.example/checkout\"}}}");
    trackside.post("/v1/track", "{\"type\":\"track\",\"event\":" + TestNode.JSON.writeValueAsString(HOSTILE)
        + ",\"anonymousId\":\"b-2\"}");
    // Sent by Java's HTTP client, these are flagged as bots: the page shows them with "Show bots".
    browser.findElement(By.id("show-bots")).click();
    WebElement hostileCell = page.until(Duration.ofSeconds(60), d -> d.findElements(By.cssSelector("#events td"))
        .stream().filter(td -> td.getText().equals(HOSTILE)).findFirst().orElse(null));
    assertThat(hostileCell.getText()).isEqualTo(HOSTILE);
    assertThat(browser.findElements(By.cssSelector("#events td")).stream().map(WebElement::getText))
        .contains("Browser Test Event", "/checkout");
    assertThat(browser.findElements(By.tagName("img"))).as("the event name did not become an element").isEmpty();
    page.assertNoAlert();
    page.screenshot("live");

    // Every other page renders (its modules, ECharts included, loaded under the CSP).
    for (String path : List.of("/", "/funnels", "/ecommerce", "/journeys", "/attribution", "/quality")) {
      page.open(path);
      Thread.sleep(1500); // let its requests settle
      if (path.equals("/funnels")) {
        // ECharts from the WebJar runs under the CSP: echarts.init() marked the chart's container.
        page.until(d -> d.findElement(By.id("funnel-chart")).getAttribute("_echarts_instance_") != null);
      }
      String name = path.equals("/") ? "overview" : path.substring(1);
      page.screenshot(name);
      page.assertNoAlert();
    }

    seedVisits();
    checkOverviewAgainstApi();
    checkEcommerceAgainstApi();
    checkFunnelAgainstApi();
    checkAttributionAgainstApi();
    checkJourneysAgainstApi();
    checkLiveAgainstApi();
    checkQualityAgainstApi();

    // Signing out ends the session: pages send the browser back to the form.
    page.open("/quality");
    browser.findElement(By.cssSelector("#nav button")).click();
    page.until(d -> d.getCurrentUrl().endsWith("/login"));
    browser.get(trackside.url("/"));
    page.until(d -> d.getCurrentUrl().endsWith("/login"));
  }

  private static final String CHROME =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

  /**
   * Page views from a desktop Chrome (not flagged as bots, unlike the events above): visitor v1
   * sees / then /pricing, adds to the cart and orders for 59 EUR, v2 sees /, v3 sees /pricing.
   * And one track call without an event name, which is quarantined (missing_event).
   */
  private void seedVisits() throws Exception {
    String chrome = CHROME;
    String[][] views = {{"v1", "/"}, {"v1", "/pricing"}, {"v2", "/"}, {"v3", "/pricing"}};
    for (String[] view : views) {
      trackside.post("/v1/page", "{\"type\":\"page\",\"anonymousId\":\"" + view[0] + "\",\"context\":{\"userAgent\":\""
          + chrome + "\",\"page\":{\"url\":\"https://shop.example" + view[1] + "\"}}}");
    }
    trackside.eventsUntil("?type=page", events -> events.size() == 4);
    trackside.post("/v1/track", "{\"type\":\"track\",\"event\":\"Product Added\",\"anonymousId\":\"v1\","
        + "\"properties\":{\"product_id\":\"SKU-1\",\"price\":59},\"context\":{\"userAgent\":\""
        + chrome + "\",\"page\":{\"url\":\"https://shop.example/pricing\"}}}");
    trackside.eventsUntil("?event=Product%20Added", events -> events.size() == 1);
    trackside.post("/v1/track", "{\"type\":\"track\",\"event\":\"Order Completed\",\"anonymousId\":\"v1\","
        + "\"properties\":{\"order_id\":\"o-1\",\"revenue\":59,\"currency\":\"EUR\"},\"context\":{\"userAgent\":\""
        + chrome + "\",\"page\":{\"url\":\"https://shop.example/pricing\"}}}");
    trackside.eventsUntil("?event=Order%20Completed", events -> events.size() == 1);
    trackside.post("/v1/batch", "{\"batch\":[{\"type\":\"track\",\"anonymousId\":\"v9\",\"messageId\":\"no-name\"}]}");
    trackside.quarantineUntil(rows -> rows.size() == 1);
  }

  /**
   * Overview cards against GET /api/stats/overview; then a click on
   * the /pricing row of Top pages filters the page, and the switch brings the bots in, each time
   * checked against the API with the same parameters.
   */
  private void checkOverviewAgainstApi() throws Exception {
    page.open("/");
    // By hand: v1, v2, v3 are three visitors with one session each and four page views; the two
    // bot events from Live are left out.
    cardsMatch("", 3, 3, 4);
    page.screenshot("overview");
    WebElement pricing = page.until(d -> d.findElements(By.cssSelector("#breakdown-page tbody tr")).stream()
        .filter(tr -> tr.getText().startsWith("/pricing")).findFirst().orElse(null));
    pricing.click();
    page.until(d -> d.getCurrentUrl().contains("filter.page=%2Fpricing"));
    page.until(d -> d.findElement(By.cssSelector(".chip[data-filter='page']")).getText().contains("/pricing"));
    // Sessions that viewed /pricing: v1's (two views) and v3's (one view).
    cardsMatch("&filter.page=%2Fpricing", 2, 2, 3);
    browser.findElement(By.id("bots")).click();
    page.until(d -> d.getCurrentUrl().contains("bots=include"));
    // The bots' sessions viewed no /pricing: the same numbers, now from the API with bots=include.
    cardsMatch("&filter.page=%2Fpricing&bots=include", 2, 2, 3);
    page.screenshot("overview-filtered");
  }

  /**
   * The cards show what the API answers for these parameters (waiting for the page to catch up),
   * and the API answers what was worked out by hand.
   */
  private void cardsMatch(String query, long visitors, long sessions, long pageviews) throws Exception {
    HttpResponse<String> api = trackside.api("/api/stats/overview?period=30d" + query);
    assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
    JsonNode metrics = TestNode.JSON.readTree(api.body()).get("metrics");
    assertThat(metrics.get("visitors").get("value").asLong()).isEqualTo(visitors);
    assertThat(metrics.get("sessions").get("value").asLong()).isEqualTo(sessions);
    assertThat(metrics.get("pageviews").get("value").asLong()).isEqualTo(pageviews);
    for (String key : List.of("visitors", "sessions", "pageviews", "orders")) {
      String expected = String.format(java.util.Locale.US, "%,d", metrics.get(key).get("value").asLong());
      page.until(d -> d.findElement(By.cssSelector("[data-metric='" + key + "'] .value")).getText().equals(expected));
    }
  }

  /** E-commerce cards against GET /api/stats/ecommerce: v1's one order of 59 EUR. */
  private void checkEcommerceAgainstApi() throws Exception {
    page.open("/ecommerce");
    HttpResponse<String> api = trackside.api("/api/stats/ecommerce?abandonHours=24");
    assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
    JsonNode shop = TestNode.JSON.readTree(api.body());
    assertThat(shop.get("orders").asLong()).isEqualTo(1);
    assertThat(shop.get("revenue").asDouble()).isEqualTo(59.0);
    String orders = page.until(d -> d.findElement(By.cssSelector("[data-metric='orders'] .value"))).getText();
    assertThat(orders).isEqualTo(String.format(java.util.Locale.US, "%,d", shop.get("orders").asLong()));
    String carts = page.until(d -> d.findElement(By.cssSelector("[data-metric='carts'] .value"))).getText();
    assertThat(carts).isEqualTo(String.format(java.util.Locale.US, "%,d", shop.get("carts").get("carts").asLong()));
  }

  /**
   * The funnels page's default funnel (/ → Product Added → Order Completed, one session) against
   * the API: by hand, v1 and v2 saw /, only v1 added to the cart and then ordered: 2, 1, 1.
   */
  private void checkFunnelAgainstApi() throws Exception {
    HttpResponse<String> api = trackside.api("POST", "/api/stats/funnel?period=30d", "{\"steps\": [{\"page\": \"/\"},"
        + " {\"event\": \"Product Added\"}, {\"event\": \"Order Completed\"}], \"window\": \"session\"}");
    assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
    List<Long> counts = new java.util.ArrayList<>();
    TestNode.JSON.readTree(api.body()).get("steps").forEach(step -> counts.add(step.get("count").asLong()));
    assertThat(counts).containsExactly(2L, 1L, 1L);
    page.open("/funnels");
    List<String> expected = counts.stream().map(n -> String.format(java.util.Locale.US, "%,d", n)).toList();
    page.until(d -> d.findElements(By.cssSelector("#funnel-table tbody tr")).stream()
        .map(tr -> tr.findElements(By.tagName("td")).get(1).getText()).toList().equals(expected));
    page.screenshot("funnels-seeded");
  }

  /**
   * The attribution page under the linear model against GET /api/stats/attribution: by hand,
   * v1's one order of 59 comes from its only session, a direct visit, so direct gets all of it.
   */
  private void checkAttributionAgainstApi() throws Exception {
    HttpResponse<String> api = trackside.api("/api/stats/attribution?period=30d&model=linear&by=channel&lookbackDays=30");
    assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
    JsonNode answer = TestNode.JSON.readTree(api.body());
    assertThat(answer.get("total").get("conversions").asDouble()).as(api.body()).isEqualTo(1.0);
    assertThat(answer.get("total").get("revenue").asDouble()).as(api.body()).isEqualTo(59.0);
    List<String> expected = new java.util.ArrayList<>();
    answer.get("rows").forEach(row -> expected.add(row.get("value").asText() + " | "
        + new java.text.DecimalFormat("#,##0.##", java.text.DecimalFormatSymbols.getInstance(java.util.Locale.US))
            .format(row.get("conversions").asDouble())));
    assertThat(expected).as(api.body()).containsExactly("direct | 1");
    expected.add("Total | 1");
    page.open("/attribution");
    browser.findElement(By.cssSelector("[data-model='linear']")).click();
    page.until(d -> d.findElement(By.cssSelector("[data-model='linear']")).getAttribute("class").contains("active"));
    page.until(d -> d.findElements(By.cssSelector("#attribution-table tbody tr")).stream()
        .map(tr -> tr.findElements(By.tagName("td")))
        .map(td -> td.get(0).getText() + " | " + td.get(1).getText()).toList().equals(expected));
    page.screenshot("attribution-seeded");
  }

  /**
   * The journeys page's default (from page /, what comes next, 3 steps) against GET
   * /api/stats/journeys: by hand, v1's and v2's sessions reached /, and only v1's went on, to
   * /pricing: one session, half of those that reached the start.
   */
  private void checkJourneysAgainstApi() throws Exception {
    JsonNode answer = apiJson("/api/stats/journeys?period=30d&start=page:/&direction=next&depth=3");
    List<String> expected = new ArrayList<>();
    answer.get("top").forEach(top -> expected.add(top.get("label").asText() + " | "
        + DashboardBrowser.number(top.get("sessions").asLong()) + " | " + DashboardBrowser.percent(top.get("share").asDouble())));
    assertThat(expected).as(answer.toString()).containsExactly("/pricing | 1 | 50.0%");
    page.open("/journeys");
    page.untilShows("the journey's title", "Paths from " + answer.get("start").asText(),
        d -> d.findElement(By.id("journey-title")).getText());
    page.untilShows("the most common next steps", expected, d -> DashboardBrowser.rows(d, By.id("top-steps")));
    page.screenshot("journeys-seeded");
  }

  /**
   * Live's visitors in the last 5 minutes and current pages against GET /api/stats/live: by hand,
   * v1 (last page /pricing), v2 (/) and v3 (/pricing); the bots of the first events are left out,
   * as on the page. Then a new visitor's page view appears in the stream, the count and the pages.
   */
  private void checkLiveAgainstApi() throws Exception {
    page.open("/live");
    page.until(d -> d.findElement(By.id("stream-status")).getText().equals("connected"));
    liveMatches(3, List.of("/pricing | 2", "/ | 1"));
    trackside.post("/v1/page", "{\"type\":\"page\",\"anonymousId\":\"v4\",\"context\":{\"userAgent\":\"" + CHROME
        + "\",\"page\":{\"url\":\"https://shop.example/blog\"}}}");
    // Not a bot: shown without "Show bots" (unchecked here, a fresh page).
    page.until(Duration.ofSeconds(60), d -> d.findElements(By.cssSelector("#events td[data-key='page']")).stream()
        .anyMatch(td -> td.getText().equals("/blog")));
    // The cards refresh every 5 s.
    liveMatches(4, List.of("/pricing | 2", "/ | 1", "/blog | 1"));
    page.screenshot("live-seeded");
  }

  private void liveMatches(long visitors, List<String> pages) throws Exception {
    JsonNode live = apiJson("/api/stats/live");
    List<String> expected = new ArrayList<>();
    live.get("pages").forEach(p -> expected.add(p.get("page").asText() + " | " + DashboardBrowser.number(p.get("visitors").asLong())));
    assertThat(live.get("visitors").asLong()).as(live.toString()).isEqualTo(visitors);
    assertThat(expected).as(live.toString()).containsExactlyElementsOf(pages);
    page.untilShows("visitors in the last 5 minutes", DashboardBrowser.number(live.get("visitors").asLong()),
        d -> d.findElement(By.id("live-visitors")).getText());
    page.untilShows("current pages", expected, d -> DashboardBrowser.rows(d, By.id("current-pages")));
  }

  /**
   * Data quality's warehouse panel and what came in against GET /api/stats/quality: by hand, nine
   * events stored in the range (v1–v4's seven, the two bot events of Live), two of them bots, and
   * the track call without a name quarantined as missing_event.
   */
  private void checkQualityAgainstApi() throws Exception {
    JsonNode quality = apiJson("/api/stats/quality?period=30d");
    JsonNode warehouse = quality.get("warehouse");
    assertThat(warehouse.get("events").asLong()).as(quality.toString()).isEqualTo(9);
    assertThat(warehouse.get("bots").asLong()).as(quality.toString()).isEqualTo(2);
    assertThat(warehouse.get("quarantined").asLong()).as(quality.toString()).isEqualTo(1);
    List<String> reasons = new ArrayList<>();
    warehouse.get("quarantinedByReason").forEach(r -> reasons.add(r.get("reason").asText() + " | "
        + DashboardBrowser.number(r.get("count").asLong())));
    assertThat(reasons).as(quality.toString()).containsExactly("missing_event | 1");
    page.open("/quality");
    for (String key : List.of("events", "bots", "quarantined")) {
      page.untilShows("warehouse: " + key, DashboardBrowser.number(warehouse.get(key).asLong()), d -> card(d, "Warehouse", key));
    }
    page.untilShows("warehouse: bot share", DashboardBrowser.percent(warehouse.get("botShare").asDouble()),
        d -> card(d, "Warehouse", "botShare"));
    page.untilShows("quarantined by reason", reasons, d -> DashboardBrowser.rows(d,
        By.xpath("//section[h2='Warehouse']//table[@data-list='quarantinedByReason']")));
    // Counted by this process since its start; nothing is sent any more, so they stand still.
    for (String key : List.of("received", "stored", "quarantined")) {
      page.untilShows("ingest: " + key, DashboardBrowser.number(quality.get("ingest").get(key).asLong()),
          d -> card(d, "Ingest", key));
    }
    page.screenshot("quality-seeded");
  }

  /** The value of a card in a titled panel of the data-quality page. */
  private static String card(org.openqa.selenium.WebDriver d, String panel, String metric) {
    return d.findElement(By.xpath("//section[h2='" + panel + "']/div[@class='cards']/div[@data-metric='" + metric
        + "']/div[@class='value']")).getText();
  }

  private JsonNode apiJson(String pathAndQuery) throws Exception {
    HttpResponse<String> api = trackside.api(pathAndQuery);
    assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
    return TestNode.JSON.readTree(api.body());
  }
}
