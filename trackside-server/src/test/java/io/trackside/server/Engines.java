package io.trackside.server;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.MutableCapabilities;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;

/**
 * The three browser engines the snippet is tested in, from Debian's packages (.ci/run installs
 * them): Chromium (chromedriver), Firefox ESR (WebDriver BiDi, no driver) and WebKitGTK's
 * MiniBrowser, the engine of Safari (WebKitWebDriver, on an Xvfb display: MiniBrowser has no
 * headless mode). A test is skipped when its browser is not installed, unless
 * -Dtrackside.test.browsers.required=true (.ci/run sets it): then it fails.
 */
final class Engines {
  static final String REQUIRED = "trackside.test.browsers.required";
  static final File CHROMIUM = new File("/usr/bin/chromium");
  static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  static final File FIREFOX = new File("/usr/bin/firefox-esr");
  static final File WEBKIT_DRIVER = new File("/usr/bin/WebKitWebDriver");
  static final File MINIBROWSER = new File("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser");
  static final File XVFB = new File("/usr/bin/Xvfb");

  private Engines() {
  }

  /** Skips the test (or fails it, when browsers are required) unless every file is there. */
  static void require(String packages, File... files) {
    for (File file : files) {
      if (!file.canExecute()) {
        String how = "needs " + file + ": apt-get install " + packages + " (.ci/run does)";
        if (Boolean.getBoolean(REQUIRED)) {
          throw new AssertionError(how + "; -D" + REQUIRED + "=true, so this fails rather than skips");
        }
        Assumptions.abort(how);
      }
    }
  }

  static Browser chromium() {
    require("chromium chromium-driver", CHROMIUM, CHROMEDRIVER);
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1200,800");
    return new SeleniumBrowser(new ChromeDriver(
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).build(), options), () -> { });
  }

  static Browser firefox(Path dir) throws Exception {
    require("firefox-esr", FIREFOX);
    Path profile = Files.createDirectories(dir.resolve("firefox-profile"));
    return new FirefoxBidi(FIREFOX, profile);
  }

  static Browser webkit() throws Exception {
    require("webkit2gtk-driver xvfb", WEBKIT_DRIVER, MINIBROWSER, XVFB);
    // Xvfb picks a free display and writes its number to the descriptor given (here its stdout).
    Process display = new ProcessBuilder(XVFB.getPath(), "-displayfd", "1", "-screen", "0", "1280x1024x24",
        "-nolisten", "tcp").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Process driver = null;
    try {
      String number = new BufferedReader(new InputStreamReader(display.getInputStream(), StandardCharsets.US_ASCII)).readLine();
      if (number == null) {
        throw new AssertionError("Xvfb did not start");
      }
      int port = TestNode.freePort();
      ProcessBuilder builder = new ProcessBuilder(WEBKIT_DRIVER.getPath(), "--port=" + port)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().put("DISPLAY", ":" + number.trim());
      driver = builder.start();
      MutableCapabilities capabilities = new MutableCapabilities();
      capabilities.setCapability("browserName", "MiniBrowser");
      capabilities.setCapability("webkitgtk:browserOptions",
          java.util.Map.of("binary", MINIBROWSER.getPath(), "args", java.util.List.of("--automation")));
      RemoteWebDriver webDriver = null;
      for (int i = 0; webDriver == null; i++) {
        try {
          webDriver = new RemoteWebDriver(new URL("http://127.0.0.1:" + port), capabilities);
        } catch (RuntimeException notYetListening) {
          if (i == 50) {
            throw notYetListening;
          }
          Thread.sleep(100);
        }
      }
      Process started = driver;
      return new SeleniumBrowser(webDriver, () -> {
        stop(started);
        stop(display);
      });
    } catch (Exception | Error e) {
      stop(driver);
      stop(display);
      throw e;
    }
  }

  /** Ends a process of ours and whatever it started (the driver starts the browser's processes). */
  private static void stop(Process process) {
    if (process == null) {
      return;
    }
    var children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }
}
