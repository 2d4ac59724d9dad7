package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snippet in a real browser, the same visit in each engine (a subclass per engine says which
 * browser): a site on its own server loads the snippet from Trackside; a visitor reads, scrolls,
 * moves within a single-page app, downloads a file, adds a product (a custom event), submits a
 * form and leaves by an outbound link. Every interaction arrives once, cookieless, with the page
 * and browser it came from, and no form value ever leaves the page.
 */
abstract class SnippetInBrowser {
  @TempDir
  Path dir;

  TestNode trackside;
  HttpServer site;
  HttpServer partner;
  Browser browser;

  /** Starts the engine's browser, or skips the test when it is not installed (see {@link Engines}). */
  abstract Browser browser(Path dir) throws Exception;

  /** The engine's mark in the User-Agent, which the server's device columns come from. */
  abstract Predicate<String> userAgent();

  @BeforeEach
  void start() throws Exception {
    browser = browser(dir);
    trackside = TestNode.start(dir);
    String script = trackside.url(new io.trackside.collect.Snippet(trackside.config.snippetPath()).url());
    site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    site.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String html = path.startsWith("/lab/") ? labPage(path, script) : path.endsWith(".pdf") ? "%PDF-1.4" : """
          <!doctype html><html><head><title>Shop %s</title>
          <script defer src="%s" data-key="%s"></script>
          <script>addEventListener('scroll', function () { window.scrolledTo = scrollY; });</script></head>
          <body><h1>Shop</h1>
          <a id="download" href="/files/price-list.pdf">price list</a>
          <button id="spa" onclick="history.pushState({}, '', '/spa/step-2')">next step</button>
          <form id="newsletter" name="newsletter" action="/thanks" method="get">
            <input id="email" name="email" value="">
            <button id="subscribe" type="submit">subscribe</button></form>
          <a id="out" href="%s/elsewhere">partner</a>
          <div style="height: 5000px"></div><p id="bottom">end</p></body></html>"""
          .formatted(path, script, TestNode.WRITE_KEY, partnerBase());
      byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", path.endsWith(".pdf") ? "application/pdf" : "text/html");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    site.start();
    // Another site (another origin) without the snippet, where the outbound link goes.
    partner = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    partner.createContext("/", exchange -> {
      byte[] bytes = "<!doctype html><title>Partner</title><p>elsewhere</p>".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/html");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    partner.start();
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (site != null) {
      site.stop(0);
    }
    if (partner != null) {
      partner.stop(0);
    }
    if (trackside != null) {
      trackside.close();
    }
  }

  String partnerBase() {
    return "http://127.0.0.1:" + partner.getAddress().getPort();
  }

  String base() {
    return "http://127.0.0.1:" + site.getAddress().getPort();
  }

  @Test
  void aVisitIsRecordedOnceEachWithoutCookiesOrFormValues() throws Exception {
    String home = base() + "/";
    browser.open(home);
    waitForSnippet();
    browser.js("trackside('track', 'Product Added', {product_id: 'p1', price: 19.5, currency: 'EUR'})");
    browser.js("window.scrollTo(0, document.body.scrollHeight)");
    waitUntil("the page saw the scroll", "return window.scrolledTo > 0");
    Thread.sleep(300);
    browser.click("spa");
    waitUntil("the single-page app moved on", "return location.pathname == '/spa/step-2'");
    browser.click("download");
    Thread.sleep(300);
    browser.open(home); // back to a page with the form (the download may have replaced it)
    waitForSnippet();
    browser.type("email", "secret.person@example.com");
    browser.click("subscribe"); // → /thanks?email=… (the URL is scrubbed by the pipeline)
    waitUntil("the form was submitted", "return location.pathname == '/thanks'");
    waitForSnippet();
    Thread.sleep(1200); // a second in view: leaving the page reports the engaged time
    browser.click("out"); // leaves for another site: only a request that outlives the page (keepalive, beacon) can tell
    waitUntil("the visitor is on the partner's site", "return location.port == '" + partner.getAddress().getPort() + "'");

    JsonNode events = trackside.eventsUntil("?limit=1000", e -> count(e, "track", "Outbound Link Clicked") >= 1
        && count(e, "page", null) >= 4 && engagedOn(e, "/thanks") != null);
    Map<String, Integer> pages = new HashMap<>();
    List<String> all = new ArrayList<>();
    for (JsonNode e : events) {
      all.add(e.path("type").asText() + " " + e.path("event").asText("") + " " + e.path("page_path").asText(""));
    }
    String described = browser.version() + ":\n" + String.join("\n", all);
    for (JsonNode e : events) {
      if (e.path("type").asText().equals("page")) {
        pages.merge(e.path("page_path").asText(), 1, Integer::sum);
      }
      assertThat(e.toString()).as("no form value leaves the page").doesNotContain("secret.person");
      assertThat(e.path("visitor_id").asText()).as("a cookieless daily id").isNotEmpty();
      assertThat(e.path("anonymous_id").isNull() || e.path("anonymous_id").isMissingNode()
          || e.path("anonymous_id").asText().isEmpty()).as("no id of the browser's own: " + e).isTrue();
      assertThat(e.path("page_url").asText()).as("the page it came from: " + e).startsWith(base() + "/");
      assertThat(e.path("page_title").asText()).as("the page's title: " + e).startsWith("Shop /");
      assertThat(e.path("locale").asText()).as("the browser's language: " + e).isNotEmpty();
      assertThat(e.path("user_agent").asText()).as("this engine sent it: " + e).matches(userAgent());
      assertThat(e.path("browser").asText()).as("the browser, from the User-Agent: " + e).isNotEmpty();
    }
    assertThat(pages).as(described).containsEntry("/", 2).containsEntry("/spa/step-2", 1)
        .containsEntry("/thanks", 1).hasSize(3);
    assertThat(count(events, "track", "Scrolled")).as(described).isEqualTo(4);
    assertThat(count(events, "track", "File Downloaded")).as(described).isEqualTo(1);
    assertThat(count(events, "track", "Form Submitted")).as(described).isEqualTo(1);
    assertThat(count(events, "track", "Outbound Link Clicked")).as(described).isEqualTo(1);
    assertThat(count(events, "track", "Product Added")).as(described).isEqualTo(1);
    JsonNode product = properties(first(events, "Product Added"));
    assertThat(product.path("product_id").asText()).isEqualTo("p1");
    assertThat(product.path("price").asDouble()).isEqualTo(19.5);
    assertThat(product.path("currency").asText()).isEqualTo("EUR");
    assertThat(first(events, "Product Added").path("page_path").asText()).isEqualTo("/");
    List<Long> percents = new ArrayList<>();
    events.forEach(e -> {
      if ("Scrolled".equals(e.path("event").asText())) {
        percents.add(properties(e).path("percent").asLong());
      }
    });
    assertThat(percents).containsExactlyInAnyOrder(25L, 50L, 75L, 100L);
    assertThat(properties(first(events, "File Downloaded")).path("url").asText()).isEqualTo(base() + "/files/price-list.pdf");
    assertThat(properties(first(events, "Outbound Link Clicked")).path("url").asText()).isEqualTo(partnerBase() + "/elsewhere");
    JsonNode engaged = engagedOn(events, "/thanks");
    assertThat(engaged).as("the page left by the outbound link reports its engaged time:\n" + described).isNotNull();
    assertThat(properties(engaged).path("engaged_ms").asLong()).isBetween(1000L, 60_000L);
    JsonNode form = properties(first(events, "Form Submitted"));
    assertThat(form.path("form_id").asText()).isEqualTo("newsletter");
    assertThat(form.path("form_name").asText()).isEqualTo("newsletter");
    assertThat(form.path("action").asText()).isEqualTo(base() + "/thanks");
    assertThat(events.size()).as("nothing twice: " + described).isEqualTo(distinctMessageIds(events));
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
    String base = base();
    browser.open(base + "/lab/retry");
    waitForSnippet();
    browser.js("trackside('track', 'Retry Probe')");
    waitUntil("the failed send was sent again", "return window.sends.length >= 2");
    @SuppressWarnings("unchecked")
    List<List<String>> sends = (List<List<String>>) browser.js("return window.sends");
    assertThat((Boolean) browser.js("return window.keepalive")).isTrue();
    assertThat(browser.js("return window.beacons"))
        .as("a shown page sends with fetch, whose failure it can see, not with sendBeacon").isEqualTo(0L);
    assertThat(sends.get(1)).as("the retry carries the failed events under their messageIds: " + sends)
        .containsAll(sends.get(0));

    browser.open(base + "/lab/consent");
    waitForSnippet();
    browser.js("trackside('consent', true); trackside('track', 'Consent Given')");
    String firstPartyId = (String) browser.js("return localStorage.getItem('ts_id')");
    assertThat(firstPartyId).as("consent keeps a first-party id").isNotBlank();
    browser.open(base + "/lab/consent-again");
    waitForSnippet();
    browser.js("trackside('consent', false)");
    assertThat(browser.js("return localStorage.getItem('ts_id')")).as("withdrawn consent forgets the id").isNull();

    browser.open(base + "/lab/dnt");
    waitUntil("the page loaded", "return document.readyState == 'complete'");
    assertThat(browser.js("return typeof window.trackside"))
        .as("data-dnt=1 and GPC: the snippet stops before it starts").isNotEqualTo("function");
    browser.open(base + "/lab/gpc-ignored");
    waitForSnippet();

    browser.openTab(base + "/lab/closed");
    waitForSnippet();
    // Engaged time counts from when the page is shown, and a new tab may be shown only some time
    // after it loaded (Firefox on a busy machine: seconds), so the tab stays open well over the
    // second the snippet needs to report it after it is shown. WebKit's MiniBrowser reports its
    // windows hidden throughout: there the wait ends at its bound and the time counts from load.
    long shownBy = System.nanoTime() + 15_000_000_000L;
    while (!"visible".equals(browser.js("return document.visibilityState")) && System.nanoTime() < shownBy) {
      Thread.sleep(100);
    }
    Thread.sleep(2500);
    browser.closeTab(); // the tab is closed: its engaged time goes out with the page

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
    String described = browser.version() + ":\n" + String.join("\n", all);
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
    assertThat(closed).as("the closed tab's engaged time arrived: " + described).isNotNull();
    assertThat(properties(closed).path("engaged_ms").asLong()).as(described).isBetween(1000L, 60_000L);
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

  /** Waits until the script answers true; a script that fails (the page is still changing) is tried again. */
  void waitUntil(String what, String condition) throws InterruptedException {
    RuntimeException lastError = null;
    for (int i = 0; i < 200; i++) {
      try {
        if (Boolean.TRUE.equals(browser.js(condition))) {
          return;
        }
      } catch (RuntimeException | AssertionError e) {
        lastError = e instanceof RuntimeException r ? r : new RuntimeException(e);
      }
      Thread.sleep(50);
    }
    throw new AssertionError(what + ": not so in " + browser.version(), lastError);
  }

  void waitForSnippet() throws InterruptedException {
    waitUntil("the snippet loaded", "return typeof window.trackside === 'function'");
  }

  static JsonNode engagedOn(JsonNode events, String path) {
    for (JsonNode e : events) {
      if ("Page Engaged".equals(e.path("event").asText()) && path.equals(e.path("page_path").asText())) {
        return e;
      }
    }
    return null;
  }

  static JsonNode properties(JsonNode event) {
    JsonNode p = event.path("properties");
    try {
      return p.isTextual() ? TestNode.JSON.readTree(p.asText()) : p;
    } catch (java.io.IOException e) {
      throw new AssertionError("properties are not JSON: " + event, e);
    }
  }

  static long count(JsonNode events, String type, String name) {
    long n = 0;
    for (JsonNode e : events) {
      if (e.path("type").asText().equals(type) && (name == null || name.equals(e.path("event").asText()))) {
        n++;
      }
    }
    return n;
  }

  static JsonNode first(JsonNode events, String name) {
    for (JsonNode e : events) {
      if (name.equals(e.path("event").asText())) {
        return e;
      }
    }
    throw new AssertionError("no " + name);
  }

  static int distinctMessageIds(JsonNode events) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    events.forEach(e -> ids.add(e.path("message_id").asText()));
    return ids.size();
  }
}
