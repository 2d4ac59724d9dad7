package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.WebDriver;

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
    until(d -> d.getCurrentUrl().endsWith("/login"));
    browser.findElement(By.id("password")).sendKeys("not the password");
    browser.findElement(By.cssSelector("#login button")).click();
    until(d -> d.findElement(By.id("login-error")).getText().equals("Wrong password."));
    screenshot("login");
    browser.findElement(By.id("password")).clear();
    browser.findElement(By.id("password")).sendKeys(PASSWORD);
    browser.findElement(By.cssSelector("#login button")).click();
    until(d -> d.getCurrentUrl().equals(trackside.url("/")));

    // Live first, so that events sent now are seen arriving.
    browser.get(trackside.url("/live"));
    navRendered();
    until(d -> d.findElement(By.id("stream-status")).getText().equals("connected"));
    trackside.post("/v1/track", "{\"type\":\"track\",\"event\":\"Browser Test Event\",\"anonymousId\":\"b-1\","
        + "\"context\":{\"page\":{\"url\":\"https://shop.example/checkout\"}}}");
    trackside.post("/v1/track", "{\"type\":\"track\",\"event\":" + TestNode.JSON.writeValueAsString(HOSTILE)
        + ",\"anonymousId\":\"b-2\"}");
    // Sent by Java's HTTP client, these are flagged as bots: the page shows them with "Show bots".
    browser.findElement(By.id("show-bots")).click();
    WebElement hostileCell = until(Duration.ofSeconds(60), d -> d.findElements(By.cssSelector("#events td"))
        .stream().filter(td -> td.getText().equals(HOSTILE)).findFirst().orElse(null));
    assertThat(hostileCell.getText()).isEqualTo(HOSTILE);
    assertThat(browser.findElements(By.cssSelector("#events td")).stream().map(WebElement::getText))
        .contains("Browser Test Event", "/checkout");
    assertThat(browser.findElements(By.tagName("img"))).as("the event name did not become an element").isEmpty();
    assertNoAlert();
    screenshot("live");

    // Every other page renders (its modules, ECharts included, loaded under the CSP).
    for (String page : List.of("/", "/funnels", "/ecommerce", "/journeys", "/attribution", "/quality")) {
      browser.get(trackside.url(page));
      navRendered();
      Thread.sleep(1500); // let its requests settle
      if (page.equals("/funnels")) {
        // ECharts from the WebJar runs under the CSP: echarts.init() marked the chart's container.
        until(d -> d.findElement(By.id("funnel-chart")).getAttribute("_echarts_instance_") != null);
      }
      String name = page.equals("/") ? "overview" : page.substring(1);
      screenshot(name);
      assertNoAlert();
    }

    seedVisits();
    checkOverviewAgainstApi();
    checkEcommerceAgainstApi();
    checkFunnelAgainstApi();
    checkAttributionAgainstApi();

    // Signing out ends the session: pages send the browser back to the form.
    browser.get(trackside.url("/quality"));
    navRendered();
    browser.findElement(By.cssSelector("#nav button")).click();
    until(d -> d.getCurrentUrl().endsWith("/login"));
    browser.get(trackside.url("/"));
    until(d -> d.getCurrentUrl().endsWith("/login"));
  }

  /**
   * Page views from a desktop Chrome (not flagged as bots, unlike the events above): visitor v1
   * sees / then /pricing, adds to the cart and orders for 59 EUR, v2 sees /, v3 sees /pricing.
   */
  private void seedVisits() throws Exception {
    String chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
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
  }

  /**
   * Overview cards against GET /api/stats/overview; then a click on
   * the /pricing row of Top pages filters the page, and the switch brings the bots in, each time
   * checked against the API with the same parameters.
   */
  private void checkOverviewAgainstApi() throws Exception {
    browser.get(trackside.url("/"));
    navRendered();
    // By hand: v1, v2, v3 are three visitors with one session each and four page views; the two
    // bot events from Live are left out.
    cardsMatch("", 3, 3, 4);
    screenshot("overview");
    WebElement pricing = until(d -> d.findElements(By.cssSelector("#breakdown-page tbody tr")).stream()
        .filter(tr -> tr.getText().startsWith("/pricing")).findFirst().orElse(null));
    pricing.click();
    until(d -> d.getCurrentUrl().contains("filter.page=%2Fpricing"));
    until(d -> d.findElement(By.cssSelector(".chip[data-filter='page']")).getText().contains("/pricing"));
    // Sessions that viewed /pricing: v1's (two views) and v3's (one view).
    cardsMatch("&filter.page=%2Fpricing", 2, 2, 3);
    browser.findElement(By.id("bots")).click();
    until(d -> d.getCurrentUrl().contains("bots=include"));
    // The bots' sessions viewed no /pricing: the same numbers, now from the API with bots=include.
    cardsMatch("&filter.page=%2Fpricing&bots=include", 2, 2, 3);
    screenshot("overview-filtered");
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
      until(d -> d.findElement(By.cssSelector("[data-metric='" + key + "'] .value")).getText().equals(expected));
    }
  }

  /** E-commerce cards against GET /api/stats/ecommerce: v1's one order of 59 EUR. */
  private void checkEcommerceAgainstApi() throws Exception {
    browser.get(trackside.url("/ecommerce"));
    navRendered();
    HttpResponse<String> api = trackside.api("/api/stats/ecommerce?abandonHours=24");
    assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
    JsonNode shop = TestNode.JSON.readTree(api.body());
    assertThat(shop.get("orders").asLong()).isEqualTo(1);
    assertThat(shop.get("revenue").asDouble()).isEqualTo(59.0);
    String orders = until(d -> d.findElement(By.cssSelector("[data-metric='orders'] .value"))).getText();
    assertThat(orders).isEqualTo(String.format(java.util.Locale.US, "%,d", shop.get("orders").asLong()));
    String carts = until(d -> d.findElement(By.cssSelector("[data-metric='carts'] .value"))).getText();
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
    browser.get(trackside.url("/funnels"));
    navRendered();
    List<String> expected = counts.stream().map(n -> String.format(java.util.Locale.US, "%,d", n)).toList();
    until(d -> d.findElements(By.cssSelector("#funnel-table tbody tr")).stream()
        .map(tr -> tr.findElements(By.tagName("td")).get(1).getText()).toList().equals(expected));
    screenshot("funnels-seeded");
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
    browser.get(trackside.url("/attribution"));
    navRendered();
    browser.findElement(By.cssSelector("[data-model='linear']")).click();
    until(d -> d.findElement(By.cssSelector("[data-model='linear']")).getAttribute("class").contains("active"));
    until(d -> d.findElements(By.cssSelector("#attribution-table tbody tr")).stream()
        .map(tr -> tr.findElements(By.tagName("td")))
        .map(td -> td.get(0).getText() + " | " + td.get(1).getText()).toList().equals(expected));
    screenshot("attribution-seeded");
  }

  /** Polls until the condition gives a value other than null or false (Selenium's support module is not here). */
  private <T> T until(java.util.function.Function<WebDriver, T> condition) throws InterruptedException {
    return until(Duration.ofSeconds(20), condition);
  }

  private <T> T until(Duration timeout, java.util.function.Function<WebDriver, T> condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        T value = condition.apply(browser);
        if (value != null && !Boolean.FALSE.equals(value)) {
          return value;
        }
      } catch (org.openqa.selenium.WebDriverException e) {
        last = e; // not there yet (a stale or missing element)
      }
      Thread.sleep(100);
    }
    throw new AssertionError("waited " + timeout + " in vain on " + browser.getCurrentUrl(), last);
  }

  /** The navigation is drawn by the page's module: if any import failed (CSP, a 404), it is not there. */
  private void navRendered() throws InterruptedException {
    until(d -> d.findElements(By.cssSelector("#nav a")).size() == 7);
  }

  private void assertNoAlert() {
    try {
      browser.switchTo().alert();
      throw new AssertionError("an alert opened: event data ran as script");
    } catch (NoAlertPresentException expected) {
      // good
    }
  }

  private void screenshot(String name) throws Exception {
    File shot = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SCREENSHOTS.resolve("dashboard-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

}
