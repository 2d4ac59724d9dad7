package io.trackside.example.shop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.sdk.Trackside;
import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The same purchase in a real browser (Debian's headless Chromium; .ci/run installs it), by
 * clicking. Every page is recorded twice — by the page-view filter and by the snippet — and
 * stored once, because both use the id the page printed; the snippet adds what only the
 * browser sees (scrolling, a click on a link to another site, form submissions, the time a page
 * was in view when it is closed), and no form value leaves the page.
 */
class ShopBrowserIT {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

  @TempDir
  Path dir;

  private TracksideServer trackside;
  private Trackside client;
  private Shop shop;
  private ChromeDriver browser;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
        "needs chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");
    trackside = TracksideServer.start(dir);
    client = Trackside.builder(TracksideServer.WRITE_KEY).endpoint(URI.create(trackside.url()))
        .flushInterval(Duration.ofMillis(200)).build();
    shop = new Shop("127.0.0.1", 0, trackside.url(), TracksideServer.WRITE_KEY, client).start();
    // A desktop Chrome's User-Agent: headless Chromium says "HeadlessChrome", which the
    // page-view filter rightly takes for a bot and would not record.
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1200,800",
        "--user-agent=" + ShopJourneyTest.BROWSER);
    browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).build(), options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (shop != null) {
      shop.stop();
    }
    if (client != null) {
      client.close();
    }
    if (trackside != null) {
      trackside.close();
    }
  }

  @Test
  void aPurchaseByClickingIsRecordedOnceEachWithTheSnippetsInteractions() throws Exception {
    String email = "secret.buyer@example.com";
    String name = "Ottilie Brightwater";
    Map<String, String> pageViews = new LinkedHashMap<>(); // page-view id printed on the page → path

    // The visit runs in a tab of its own, so that the test can close it at the end.
    String first = browser.getWindowHandle();
    browser.switchTo().newWindow(WindowType.TAB);
    browser.get("http://127.0.0.1:" + shop.port() + "/");
    record(pageViews);
    // A short window, so the product list scrolls: to the bottom is 25, 50, 75 and 100 %.
    browser.manage().window().setSize(new Dimension(1200, 300));
    js("window.scrollTo(0, document.documentElement.scrollHeight)");
    // The help centre is on another site: the click is recorded, the test stays in the shop.
    js("document.getElementById('help').addEventListener('click', function (e) { e.preventDefault(); })");
    waitFor(By.id("help")).click();
    browser.manage().window().setSize(new Dimension(1200, 800));
    click(By.id("product-p-kettle"));
    record(pageViews);
    WebElement quantity = waitFor(By.id("quantity"));
    quantity.clear();
    quantity.sendKeys("2");
    click(By.id("add"));
    record(pageViews);
    click(By.id("to-checkout"));
    record(pageViews);
    waitFor(By.id("name")).sendKeys(name);
    waitFor(By.id("email")).sendKeys(email);
    click(By.id("place-order"));
    String orderId = waitFor(By.id("order-id")).getText();
    record(pageViews);
    String anonymousId = (String) js("return document.querySelector('script[data-aid]').dataset.aid");
    Thread.sleep(1200); // the confirmation is read for a while, then the tab is closed
    browser.close();
    browser.switchTo().window(first);
    assertThat(pageViews.values()).containsExactly("/", "/products/p-kettle", "/cart", "/checkout", "/orders/" + orderId);
    assertThat(anonymousId).as("the shop's id handed to the snippet").isNotBlank();

    assertThat(client.flush()).isTrue();
    // Both copies of each page view must have arrived (the duplicates counter) before "once"
    // means anything.
    List<JsonNode> events = trackside.eventsUntil(e -> {
      try {
        return trackside.metric("trackside_warehouse_duplicates_total") >= 5 && Stored.count(e, "page", null) >= 5
            && Stored.count(e, "track", "Order Completed") >= 1 && Stored.count(e, "track", "Form Submitted") >= 2
            && Stored.count(e, "track", "Outbound Link Clicked") >= 1 && Stored.count(e, "track", "Scrolled") >= 4
            && engagedOn(e, "/orders/" + orderId) != null;
      } catch (Exception ex) {
        throw new IllegalStateException(ex);
      }
    });
    String all = Stored.describe(events);
    assertThat(trackside.metric("trackside_warehouse_duplicates_total")).as("the second copies, dropped:\n" + all)
        .isGreaterThanOrEqualTo(5);

    Map<String, String> stored = Stored.of(events, "page", null).stream()
        .collect(Collectors.toMap(e -> e.path("message_id").asText(), e -> e.path("page_path").asText(),
            (a, b) -> a + " AND " + b));
    assertThat(stored).as("each page view once, under the printed id:\n" + all).isEqualTo(pageViews);

    assertThat(Stored.count(events, "track", "Product Viewed")).as(all).isEqualTo(1);
    assertThat(Stored.count(events, "track", "Product Added")).as(all).isEqualTo(1);
    List<JsonNode> orders = Stored.of(events, "track", "Order Completed");
    assertThat(orders).as(all).hasSize(1);
    JsonNode order = TracksideServer.json(orders.get(0).get("properties"));
    assertThat(order.path("order_id").asText()).isEqualTo(orderId);
    assertThat(order.path("revenue").decimalValue()).isEqualByComparingTo("78.00");
    assertThat(order.path("currency").asText()).isEqualTo("EUR");

    List<String> forms = new java.util.ArrayList<>();
    for (JsonNode e : Stored.of(events, "track", "Form Submitted")) {
      forms.add(TracksideServer.json(e.get("properties")).path("form_id").asText());
    }
    assertThat(forms).as(all).containsExactlyInAnyOrder("add-to-cart", "checkout");

    List<JsonNode> outbound = Stored.of(events, "track", "Outbound Link Clicked");
    assertThat(outbound).as(all).hasSize(1);
    assertThat(TracksideServer.json(outbound.get(0).get("properties")).path("url").asText())
        .isEqualTo("https://www.example.org/help");
    List<Integer> scrolled = new java.util.ArrayList<>();
    for (JsonNode e : Stored.of(events, "track", "Scrolled")) {
      assertThat(e.path("page_path").asText()).as(all).isEqualTo("/");
      scrolled.add(TracksideServer.json(e.get("properties")).path("percent").asInt());
    }
    assertThat(scrolled).as(all).containsExactlyInAnyOrder(25, 50, 75, 100);
    JsonNode closed = engagedOn(events, "/orders/" + orderId);
    assertThat(closed).as("the closed confirmation's engaged time:\n" + all).isNotNull();
    assertThat(TracksideServer.json(closed.get("properties")).path("engaged_ms").asLong()).isBetween(1000L, 60_000L);

    for (JsonNode e : events) {
      assertThat(e.path("anonymous_id").asText()).as("browser and server share one id: " + e).isEqualTo(anonymousId);
      String text = e.toString().toLowerCase(java.util.Locale.ROOT);
      assertThat(text).as("no form value leaves the page").doesNotContain("secret.buyer", "ottilie", "brightwater");
      if (!e.path("type").asText().equals("identify")) {
        assertThat(e.toString()).doesNotContain(Stored.emailHash(email));
      }
    }
    assertThat(Stored.of(events, "identify", null)).as(all).hasSize(1);
  }

  private static JsonNode engagedOn(List<JsonNode> events, String path) {
    return Stored.of(events, "track", "Page Engaged").stream().filter(e -> e.path("page_path").asText().equals(path))
        .findFirst().orElse(null);
  }

  /** Waits for the snippet on the current page and notes the page-view id it was handed. */
  private void record(Map<String, String> pageViews) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!Boolean.TRUE.equals(js("return typeof window.trackside === 'function'"))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the snippet did not load on " + browser.getCurrentUrl());
      }
      Thread.sleep(50);
    }
    String pv = (String) js("var s = document.querySelector('script[data-pv]'); return s ? s.dataset.pv : null");
    assertThat(pv).as("the page-view id on " + browser.getCurrentUrl()).isNotBlank();
    pageViews.put(pv, URI.create(browser.getCurrentUrl()).getPath());
  }

  private void click(By by) throws InterruptedException {
    String before = browser.getCurrentUrl();
    waitFor(by).click();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (browser.getCurrentUrl().equals(before) || !"complete".equals(js("return document.readyState"))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("clicking " + by + " on " + before + " led nowhere");
      }
      Thread.sleep(50);
    }
  }

  private WebElement waitFor(By by) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      List<WebElement> found = browser.findElements(by);
      if (!found.isEmpty()) {
        return found.get(0);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(by + " not found on " + browser.getCurrentUrl());
      }
      Thread.sleep(50);
    }
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }
}
