package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The snippet in a real browser (Debian's headless Chromium, installed by .ci/run): a site on
 * its own server loads it from Trackside; a visitor reads, scrolls, moves within a single-page
 * app, downloads a file, submits a form and leaves by an outbound link. Every interaction
 * arrives once, cookieless, and no form value ever leaves the page.
 */
class SnippetBrowserIT {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

  @TempDir
  Path dir;

  private TestNode trackside;
  private HttpServer site;
  private ChromeDriver browser;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
        "needs chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");
    trackside = TestNode.start(dir);
    String script = trackside.url(new io.trackside.collect.Snippet(trackside.config.snippetPath()).url());
    site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    site.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String html = path.startsWith("/lab/") ? labPage(path, script) : path.endsWith(".pdf") ? "%PDF-1.4" : """
          <!doctype html><html><head><title>Shop %s</title>
          <script defer src="%s" data-key="%s"></script></head>
          <body><h1>Shop</h1>
          <a id="download" href="/files/price-list.pdf">price list</a>
          <button id="spa" onclick="history.pushState({}, '', '/spa/step-2')">next step</button>
          <form id="newsletter" name="newsletter" action="/thanks" method="get">
            <input id="email" name="email" value="">
            <button id="subscribe" type="submit">subscribe</button></form>
          <a id="out" href="http://127.0.0.1:9/elsewhere">partner</a>
          <div style="height: 5000px"></div><p id="bottom">end</p></body></html>"""
          .formatted(path, script, TestNode.WRITE_KEY);
      byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", path.endsWith(".pdf") ? "application/pdf" : "text/html");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    site.start();
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1200,800");
    browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).build(), options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (site != null) {
      site.stop(0);
    }
    if (trackside != null) {
      trackside.close();
    }
  }

  @Test
  void aVisitIsRecordedOnceEachWithoutCookiesOrFormValues() throws Exception {
    String home = "http://127.0.0.1:" + site.getAddress().getPort() + "/";
    browser.get(home);
    waitForSnippet();
    ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, document.body.scrollHeight)");
    Thread.sleep(300);
    browser.findElement(By.id("spa")).click();
    browser.findElement(By.id("download")).click();
    Thread.sleep(300);
    browser.get(home); // back to a page with the form (the download may have replaced it)
    waitForSnippet();
    browser.findElement(By.id("email")).sendKeys("secret.person@example.com");
    browser.findElement(By.id("subscribe")).click(); // → /thanks?email=… (the URL is scrubbed by the pipeline)
    waitForSnippet();
    Thread.sleep(1200); // a second in view: leaving the page reports the engaged time
    browser.findElement(By.id("out")).click(); // leaves for an unreachable site: only a request that outlives the page (keepalive) can tell
    Thread.sleep(1000);

    JsonNode events = trackside.eventsUntil("?limit=1000", e -> count(e, "track", "Outbound Link Clicked") >= 1
        && count(e, "page", null) >= 4 && engagedOn(e, "/thanks") != null);
    Map<String, Integer> pages = new HashMap<>();
    List<String> all = new ArrayList<>();
    for (JsonNode e : events) {
      all.add(e.path("type").asText() + " " + e.path("event").asText("") + " " + e.path("page_path").asText(""));
      if (e.path("type").asText().equals("page")) {
        pages.merge(e.path("page_path").asText(), 1, Integer::sum);
      }
      assertThat(e.toString()).as("no form value leaves the page").doesNotContain("secret.person");
      assertThat(e.path("visitor_id").asText()).as("a cookieless daily id").isNotEmpty();
      assertThat(e.path("anonymous_id").isNull() || e.path("anonymous_id").isMissingNode()
          || e.path("anonymous_id").asText().isEmpty()).as("no id of the browser's own: " + e).isTrue();
    }
    assertThat(pages).as(String.join("\n", all)).containsEntry("/", 2).containsEntry("/spa/step-2", 1)
        .containsEntry("/thanks", 1);
    assertThat(count(events, "track", "Scrolled")).as(String.join("\n", all)).isEqualTo(4);
    assertThat(count(events, "track", "File Downloaded")).isEqualTo(1);
    assertThat(count(events, "track", "Form Submitted")).isEqualTo(1);
    assertThat(count(events, "track", "Outbound Link Clicked")).isEqualTo(1);
    JsonNode engaged = engagedOn(events, "/thanks");
    assertThat(engaged).as("the page left by the outbound link reports its engaged time:\n" + String.join("\n", all))
        .isNotNull();
    assertThat(properties(engaged).path("engaged_ms").asLong()).isBetween(1000L, 60_000L);
    JsonNode form = first(events, "Form Submitted");
    assertThat(form.toString()).contains("newsletter");
    assertThat(events.size()).as("nothing twice: " + String.join("\n", all)).isEqualTo(distinctMessageIds(events));
  }

  /**
   * Delivery and the opt-ins, on pages of their own: a shown page sends with fetch and
   * keepalive (not sendBeacon, whose answer is never known), and a send that fails is sent again
   * with the same messageIds (stored once); consent keeps a first-party id that the next page view carries, and
   * withdrawing it forgets the id; data-dnt="1" sends nothing under Global Privacy Control,
   * while the same signal without data-dnt is ignored (the operator's choice); closing a tab
   * reports its engaged time.
   */
  @Test
  void fetchRetriesKeepTheirIdsConsentKeepsAnIdDoNotTrackIsTheOperatorsChoice() throws Exception {
    String base = "http://127.0.0.1:" + site.getAddress().getPort();
    String home = browser.getWindowHandle();

    browser.get(base + "/lab/retry");
    waitForSnippet();
    ((JavascriptExecutor) browser).executeScript("trackside('track', 'Retry Probe')");
    waitUntil("the failed send was sent again", "return window.sends.length >= 2");
    @SuppressWarnings("unchecked")
    List<List<String>> sends = (List<List<String>>) ((JavascriptExecutor) browser).executeScript("return window.sends");
    assertThat((Boolean) ((JavascriptExecutor) browser).executeScript("return window.keepalive")).isTrue();
    assertThat(((JavascriptExecutor) browser).executeScript("return window.beacons"))
        .as("a shown page sends with fetch, whose failure it can see, not with sendBeacon").isEqualTo(0L);
    assertThat(sends.get(1)).as("the retry carries the failed events under their messageIds: " + sends)
        .containsAll(sends.get(0));

    browser.get(base + "/lab/consent");
    waitForSnippet();
    ((JavascriptExecutor) browser).executeScript("trackside('consent', true); trackside('track', 'Consent Given')");
    String firstPartyId = (String) ((JavascriptExecutor) browser).executeScript("return localStorage.getItem('ts_id')");
    assertThat(firstPartyId).as("consent keeps a first-party id").isNotBlank();
    browser.get(base + "/lab/consent-again");
    waitForSnippet();
    ((JavascriptExecutor) browser).executeScript("trackside('consent', false)");
    assertThat(((JavascriptExecutor) browser).executeScript("return localStorage.getItem('ts_id')"))
        .as("withdrawn consent forgets the id").isNull();

    browser.get(base + "/lab/dnt");
    waitUntil("the page loaded", "return document.readyState == 'complete'");
    assertThat(((JavascriptExecutor) browser).executeScript("return typeof window.trackside"))
        .as("data-dnt=1 and GPC: the snippet stops before it starts").isNotEqualTo("function");
    browser.get(base + "/lab/gpc-ignored");
    waitForSnippet();

    browser.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
    browser.get(base + "/lab/closed");
    waitForSnippet();
    Thread.sleep(1200);
    browser.close(); // the tab is closed: its engaged time goes out with the page
    browser.switchTo().window(home);

    JsonNode events = trackside.eventsUntil("?limit=1000", e -> engagedOn(e, "/lab/closed") != null
        && count(e, "track", "Retry Probe") >= 1 && count(e, "page", null) >= 5);
    List<String> all = new ArrayList<>();
    Map<String, Integer> pages = new HashMap<>();
    Map<String, String> pageIds = new HashMap<>();
    for (JsonNode e : events) {
      all.add(e.path("type").asText() + " " + e.path("event").asText("") + " " + e.path("page_path").asText("")
          + " " + e.path("anonymous_id").asText(""));
      if (e.path("type").asText().equals("page")) {
        pages.merge(e.path("page_path").asText(), 1, Integer::sum);
        pageIds.put(e.path("page_path").asText(), e.path("message_id").asText());
      }
    }
    String described = String.join("\n", all);
    assertThat(pages).as(described).containsEntry("/lab/retry", 1).containsEntry("/lab/consent", 1)
        .containsEntry("/lab/consent-again", 1).containsEntry("/lab/gpc-ignored", 1).containsEntry("/lab/closed", 1)
        .doesNotContainKey("/lab/dnt");
    assertThat(pageIds.get("/lab/retry")).as("stored under the id of the send that failed").isEqualTo(sends.get(0).get(0));
    assertThat(count(events, "track", "Retry Probe")).as(described).isEqualTo(1);
    assertThat(events.size()).as("nothing twice: " + described).isEqualTo(distinctMessageIds(events));

    for (JsonNode e : events) {
      String anonymousId = e.path("anonymous_id").asText("");
      if (e.path("event").asText().equals("Consent Given")
          || e.path("type").asText().equals("page") && e.path("page_path").asText().equals("/lab/consent-again")) {
        assertThat(anonymousId).as("after consent, the first-party id: " + e).isEqualTo(firstPartyId);
      } else if (e.path("type").asText().equals("page")) {
        assertThat(anonymousId).as("without consent, cookieless: " + e).isIn("", "null");
      }
    }
    JsonNode closed = engagedOn(events, "/lab/closed");
    assertThat(properties(closed).path("engaged_ms").asLong()).isBetween(1000L, 60_000L);
  }

  /** The lab pages: a script before the snippet sets up what the page tests. */
  private static String labPage(String path, String script) {
    String setup = switch (path) {
      // sendBeacon counted; fetch fails once as a network error would, then sends; every send's ids noted.
      case "/lab/retry" -> """
          window.beacons = 0; var realBeacon = navigator.sendBeacon.bind(navigator);
          navigator.sendBeacon = function (url, body) { window.beacons++; return realBeacon(url, body); };
          window.sends = []; var realFetch = window.fetch;
          window.fetch = function (url, options) {
            window.keepalive = options.keepalive;
            window.sends.push(JSON.parse(options.body).batch.map(function (e) { return e.messageId; }));
            return window.sends.length == 1 ? Promise.reject(new TypeError('offline')) : realFetch(url, options);
          };""";
      case "/lab/dnt", "/lab/gpc-ignored" ->
          "Object.defineProperty(navigator, 'globalPrivacyControl', {value: true, configurable: true});";
      default -> "";
    };
    String dnt = path.equals("/lab/dnt") ? " data-dnt=\"1\"" : "";
    return """
        <!doctype html><html><head><title>Lab</title><script>%s</script>
        <script defer src="%s" data-key="%s"%s></script></head><body><p>%s</p></body></html>"""
        .formatted(setup, script, TestNode.WRITE_KEY, dnt, path);
  }

  private void waitUntil(String what, String condition) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      if (Boolean.TRUE.equals(((JavascriptExecutor) browser).executeScript(condition))) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(what + ": not so on " + browser.getCurrentUrl());
  }

  private static JsonNode engagedOn(JsonNode events, String path) {
    for (JsonNode e : events) {
      if ("Page Engaged".equals(e.path("event").asText()) && path.equals(e.path("page_path").asText())) {
        return e;
      }
    }
    return null;
  }

  private static JsonNode properties(JsonNode event) throws Exception {
    JsonNode p = event.path("properties");
    return p.isTextual() ? TestNode.JSON.readTree(p.asText()) : p;
  }

  @Test
  void theSnippetIsCacheableAndWithinItsBudget() throws Exception {
    var snippet = new io.trackside.collect.Snippet(trackside.config.snippetPath());
    var response = trackside.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(trackside.url(snippet.url())))
        .header("Accept-Encoding", "gzip").build());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Cache-Control").orElse("")).contains("immutable");
    assertThat(response.headers().firstValue("Content-Encoding").orElse("")).isEqualTo("gzip");
    String etag = response.headers().firstValue("ETag").orElseThrow();
    var again = trackside.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
        trackside.url(trackside.config.snippetPath() + ".js"))).header("If-None-Match", etag).build());
    assertThat(again.statusCode()).isEqualTo(304);
  }

  private void waitForSnippet() throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      Object ready = ((JavascriptExecutor) browser).executeScript("return typeof window.trackside === 'function'");
      if (Boolean.TRUE.equals(ready)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the snippet did not load on " + browser.getCurrentUrl());
  }

  private static long count(JsonNode events, String type, String name) {
    long n = 0;
    for (JsonNode e : events) {
      if (e.path("type").asText().equals(type) && (name == null || name.equals(e.path("event").asText()))) {
        n++;
      }
    }
    return n;
  }

  private static JsonNode first(JsonNode events, String name) {
    for (JsonNode e : events) {
      if (name.equals(e.path("event").asText())) {
        return e;
      }
    }
    throw new AssertionError("no " + name);
  }

  private static int distinctMessageIds(JsonNode events) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    events.forEach(e -> ids.add(e.path("message_id").asText()));
    return ids.size();
  }
}
