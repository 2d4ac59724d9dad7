package io.trackside.server;

import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.remote.RemoteWebDriver;

/** A {@link Browser} behind a W3C WebDriver server (chromedriver, WebKitWebDriver), through Selenium. */
class SeleniumBrowser implements Browser {
  private final RemoteWebDriver driver;
  private final Runnable after;
  private final String first;

  /** @param after what to stop once the session has ended (a driver or display process of the caller's) */
  SeleniumBrowser(RemoteWebDriver driver, Runnable after) {
    this.driver = driver;
    this.after = after;
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
    this.first = driver.getWindowHandle();
  }

  @Override
  public String version() {
    return driver.getCapabilities().getBrowserName() + " " + driver.getCapabilities().getBrowserVersion();
  }

  @Override
  public void open(String url) {
    driver.get(url);
  }

  @Override
  public Object js(String functionBody) {
    return ((JavascriptExecutor) driver).executeScript(functionBody);
  }

  @Override
  public void click(String id) {
    driver.findElement(By.id(id)).click();
  }

  @Override
  public void type(String id, String text) {
    driver.findElement(By.id(id)).sendKeys(text);
  }

  @Override
  public void openTab(String url) {
    driver.switchTo().newWindow(WindowType.TAB);
    driver.get(url);
  }

  @Override
  public void closeTab() {
    driver.close();
    driver.switchTo().window(first);
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      after.run();
    }
  }
}
