package io.trackside.server;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * What {@link DashboardBrowserIT} does with the browser: open a page and wait for its module,
 * wait for a condition, read a table's rows as text, save a screenshot; and the dashboard's
 * number formats (dom.js), so that an API's value can be compared with what a page shows.
 */
final class DashboardBrowser {
  private final ChromeDriver browser;
  private final TestNode trackside;
  private final Path screenshots;

  DashboardBrowser(ChromeDriver browser, TestNode trackside, Path screenshots) {
    this.browser = browser;
    this.trackside = trackside;
    this.screenshots = screenshots;
  }

  ChromeDriver driver() {
    return browser;
  }

  /** Loads a dashboard page and waits until its module has drawn the navigation. */
  void open(String path) throws InterruptedException {
    browser.get(trackside.url(path));
    navRendered();
  }

  /** The navigation is drawn by the page's module: if any import failed (CSP, a 404), it is not there. */
  void navRendered() throws InterruptedException {
    until(d -> d.findElements(By.cssSelector("#nav a")).size() == 7);
  }

  /** Polls until the condition gives a value other than null or false (Selenium's support module is not here). */
  <T> T until(Function<WebDriver, T> condition) throws InterruptedException {
    return until(Duration.ofSeconds(20), condition);
  }

  <T> T until(Duration timeout, Function<WebDriver, T> condition) throws InterruptedException {
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

  /**
   * Waits until the page shows what is expected, and fails with what it shows instead: the
   * condition reads the page, and the page is compared with the expected value each time.
   */
  <T> void untilShows(String what, T expected, Function<WebDriver, T> shown) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Object last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = shown.apply(browser);
        if (expected.equals(last)) {
          return;
        }
      } catch (org.openqa.selenium.WebDriverException e) {
        last = e.getClass().getSimpleName(); // not there yet (a stale or missing element)
      }
      Thread.sleep(100);
    }
    throw new AssertionError(what + " on " + browser.getCurrentUrl() + ": expected " + expected + " (the API's answer),"
        + " the page shows " + last);
  }

  /** The body rows of a table, each as its cells' texts joined by " | ". */
  static List<String> rows(WebDriver d, By table) {
    return d.findElement(table).findElements(By.cssSelector("tbody tr")).stream()
        .map(tr -> String.join(" | ", tr.findElements(By.tagName("td")).stream().map(WebElement::getText).toList()))
        .toList();
  }

  void assertNoAlert() {
    try {
      browser.switchTo().alert();
      throw new AssertionError("an alert opened: event data ran as script");
    } catch (NoAlertPresentException expected) {
      // good
    }
  }

  void screenshot(String name) throws Exception {
    File shot = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), screenshots.resolve("dashboard-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  /** dom.js format.number: en-US grouping, at most two decimals. */
  static String number(double n) {
    return new DecimalFormat("#,##0.##", DecimalFormatSymbols.getInstance(Locale.US)).format(n);
  }

  /** dom.js format.percent: a fraction as a percentage with one decimal. */
  static String percent(double fraction) {
    return String.format(Locale.US, "%.1f%%", fraction * 100);
  }
}
