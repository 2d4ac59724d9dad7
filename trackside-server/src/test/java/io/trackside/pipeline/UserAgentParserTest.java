package io.trackside.pipeline;

import static io.trackside.pipeline.UserAgents.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import nl.basjes.parse.useragent.UserAgentAnalyzer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Real user agents through the real Yauaa analyzer. */
class UserAgentParserTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static UserAgentParser parser;

  @BeforeAll
  static void warmUp() throws InterruptedException {
    parser = readyParser();
  }

  static Stream<Arguments> browsers() {
    return Stream.of(
        // user agent, browser, version, os, os version, device class
        Arguments.of(CHROME_WINDOWS, "Chrome", "137", "Windows", null, "desktop"),
        Arguments.of(CHROME_MACOS, "Chrome", "136", "macOS", ">=10.15.7", "desktop"),
        Arguments.of(CHROME_ANDROID, "Chrome", "138", "Android", null, "phone"),
        Arguments.of(CHROME_ANDROID_TABLET, "Chrome", "138", "Android", "13", "tablet"),
        Arguments.of(CHROME_IOS, "Chrome", "138.0", "iOS", "18.5", "phone"),
        Arguments.of(SAFARI_IPHONE_IOS17, "Safari", "17.6", "iOS", "17.6.1", "phone"),
        Arguments.of(SAFARI_IPHONE_IOS18, "Safari", "18.5", "iOS", "18.5", "phone"),
        Arguments.of(SAFARI_IPAD_IOS17, "Safari", "17.7", "iOS", "17.7", "tablet"),
        Arguments.of(SAFARI_IPAD_IOS18, "Safari", "18.3", "iOS", "18.3", "tablet"),
        Arguments.of(SAFARI_MACOS, "Safari", "18.5", "macOS", ">=10.15.7", "desktop"),
        Arguments.of(FIREFOX_WINDOWS, "Firefox", "139.0", "Windows", ">=10", "desktop"),
        Arguments.of(FIREFOX_MACOS, "Firefox", "138.0", "macOS", ">=10.15.7", "desktop"),
        Arguments.of(FIREFOX_LINUX, "Firefox", "140.0", "Linux", null, "desktop"),
        Arguments.of(EDGE_WINDOWS, "Edge", "138", "Windows", ">=10", "desktop"),
        Arguments.of(SAMSUNG_INTERNET, "SamsungBrowser", "27.0", "Android", "14", "phone"),
        Arguments.of(CUBOT_PHONE, "Chrome", "126", "Android", "12", "phone"),
        Arguments.of(SMART_TV, null, null, "Tizen", "7.0", "tv"),
        Arguments.of(PLAYSTATION_5, null, null, "PS5 OS", "2.26", "console"));
  }

  @ParameterizedTest
  @MethodSource("browsers")
  void browsersAreNamedWithMajorMinorVersionsAndAreNotBots(String userAgent, String browser, String version,
                                                           String os, String osVersion, String deviceClass) {
    Device device = parser.parse(userAgent);

    assertThat(device.deviceClass()).isEqualTo(deviceClass);
    assertThat(device.os()).isEqualTo(os);
    assertThat(device.osVersion()).isEqualTo(osVersion);
    if (browser != null) {
      assertThat(device.browser()).isEqualTo(browser);
      assertThat(device.browserVersion()).isEqualTo(version);
    }
    assertThat(device.botReason()).isNull();
  }

  static Stream<Arguments> bots() {
    return Stream.of(
        // user agent, bot reason, browser as named
        Arguments.of(GOOGLEBOT_SMARTPHONE, "user_agent", "Googlebot"),
        Arguments.of(BINGBOT, "user_agent", "Bingbot"),
        Arguments.of(AHREFSBOT, "user_agent", "AhrefsBot"),
        Arguments.of(GPTBOT, "user_agent", "GPTBot"),
        Arguments.of(UPTIMEROBOT, "user_agent", "UptimeRobot"),
        Arguments.of(PINGDOM, "user_agent", null),
        Arguments.of(FACEBOOK_PREVIEW, "user_agent", null),
        Arguments.of(CURL, "user_agent", "Curl"),
        Arguments.of(PYTHON_REQUESTS, "user_agent", "Python-Requests"),
        Arguments.of(PYTHON_HTTPX, "user_agent", null), // Yauaa calls it "Special"; our own list catches it
        Arguments.of(GO_HTTP_CLIENT, "user_agent", "Go http client"),
        Arguments.of(HEADLESS_CHROME, "headless", "Chrome"),
        Arguments.of(LIGHTHOUSE, "headless", "Chrome"),
        Arguments.of(PHANTOMJS, "headless", "PhantomJS"),
        Arguments.of("' OR 1=1 --", "user_agent", null)); // an attack string: Yauaa's "Hacker"
  }

  @ParameterizedTest
  @MethodSource("bots")
  void crawlersMonitorsLibrariesAndHeadlessBrowsersAreBots(String userAgent, String reason, String browser) {
    Device device = parser.parse(userAgent);

    assertThat(device.botReason()).isEqualTo(reason);
    if (reason.equals("user_agent")) {
      assertThat(device.deviceClass()).isEqualTo("robot");
    }
    if (browser != null) {
      assertThat(device.browser()).isEqualTo(browser);
    }
  }

  @Test
  void theTrackingLibrariesOfASitesOwnServerAreNotBots() {
    for (String library : new String[] {ANALYTICS_JAVA, ANALYTICS_NODE, ANALYTICS_PYTHON, "RudderLabs Node SDK"}) {
      Device device = parser.parse(library);
      assertThat(device.botReason()).as(library).isNull();
      assertThat(device.deviceClass()).as(library).isEqualTo("unknown");
    }
  }

  @Test
  void clientHintsTellWhatTheFrozenUserAgentHides() throws Exception {
    // Chrome on Windows 11: the UA says "Windows NT 10.0" for ever; platformVersion 13+ is Windows 11.
    Device windows = parser.parse(CHROME_WINDOWS, ClientHints.cacheKey(CHROME_WINDOWS, JSON.readTree("""
        {"brands":[{"brand":"Google Chrome","version":"137"},{"brand":"Chromium","version":"137"},
                   {"brand":"Not/A)Brand","version":"24"}],
         "mobile":false,"platform":"Windows","platformVersion":"19.0.0"}""")));
    assertThat(windows.os()).isEqualTo("Windows");
    assertThat(windows.osVersion()).isEqualTo("11");
    assertThat(windows.browser()).isEqualTo("Chrome");

    // Brave sends Chrome's user agent; only its brands say it is Brave (low-entropy hints only).
    Device brave = parser.parse(CHROME_WINDOWS, ClientHints.cacheKey(CHROME_WINDOWS, JSON.readTree("""
        {"brands":[{"brand":"Brave","version":"137"},{"brand":"Chromium","version":"137"},
                   {"brand":"Not/A)Brand","version":"24"}],"mobile":false,"platform":"Windows"}""")));
    assertThat(brave.browser()).isEqualTo("Brave");

    // The reduced Android user agent says "Android 10; K"; the hints give the real version.
    Device android = parser.parse(CHROME_ANDROID, ClientHints.cacheKey(CHROME_ANDROID, JSON.readTree("""
        {"brands":[{"brand":"Google Chrome","version":"138"},{"brand":"Chromium","version":"138"}],
         "mobile":true,"platform":"Android","platformVersion":"15.0.0","model":"SM-S918B"}""")));
    assertThat(android.os()).isEqualTo("Android");
    assertThat(android.osVersion()).isEqualTo("15.0.0");
    assertThat(android.deviceClass()).isEqualTo("phone");

    // The same user agent without hints is still cached on its own.
    assertThat(parser.parse(CHROME_WINDOWS).osVersion()).isNull();
  }

  @Test
  void hostileHintsAreIgnoredNotFatal() throws Exception {
    for (String hostile : new String[] {"\"a string\"", "[1,2]", "{}",
        "{\"brands\":\"Chrome\",\"mobile\":\"yes\",\"platform\":42}",
        "{\"brands\":[{\"brand\":\"a\\\"b\",\"version\":\"1\"}]}",
        "{\"brands\":[null,1,{}],\"model\":\"\"}",
        "{\"platform\":\"" + "W".repeat(5000) + "\"}",
        "{\"platform\":\"Win\\ndows\"}"}) {
      assertThat(ClientHints.cacheKey(CHROME_ANDROID, JSON.readTree(hostile))).as(hostile).isSameAs(CHROME_ANDROID);
    }
    assertThat(ClientHints.cacheKey(CHROME_ANDROID, null)).isSameAs(CHROME_ANDROID);
    assertThat(ClientHints.cacheKey(null, JSON.readTree("{\"mobile\":true}"))).isNull();
    // Hints that are well-formed but nonsense still parse.
    String odd = ClientHints.cacheKey(CHROME_ANDROID,
        JSON.readTree("{\"brands\":[{\"brand\":\"\",\"version\":\"\"}],\"platform\":\";;:\"}"));
    assertThat(odd).isNotSameAs(CHROME_ANDROID);
    assertThat(parser.parse(CHROME_ANDROID, odd).browser()).isEqualTo("Chrome");
  }

  @Test
  void theHintsReadBackAsHeaders() throws Exception {
    String userAgent = "Mozilla/5.0 (odd\nuser: agent)"; // a user agent may hold newlines and colons
    String key = ClientHints.cacheKey(userAgent, JSON.readTree("""
        {"brands":[{"brand":"Chromium","version":"138"},{"brand":"Brave","version":"138"}],
         "mobile":true,"platform":"Android","platformVersion":"15.0.0","wow64":false}"""));
    assertThat(ClientHints.headers(userAgent, key)).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
        "User-Agent", userAgent,
        "Sec-CH-UA", "\"Chromium\";v=\"138\", \"Brave\";v=\"138\"",
        "Sec-CH-UA-Mobile", "?1",
        "Sec-CH-UA-WoW64", "?0",
        "Sec-CH-UA-Platform", "\"Android\"",
        "Sec-CH-UA-Platform-Version", "\"15.0.0\""));
  }

  @Test
  void strangeUserAgentsNeverThrow() {
    assertThat(parser.parse(null)).isEqualTo(Device.UNKNOWN);
    assertThat(parser.parse("")).isEqualTo(Device.UNKNOWN);
    assertThat(parser.parse("   ")).isEqualTo(Device.UNKNOWN); // missing, not an attack
    Device huge = parser.parse("Mozilla/5.0 " + "A".repeat(40_000));
    assertThat(huge.botReason()).isEqualTo("user_agent");
    assertThat(huge.deviceClass()).isEqualTo("robot");
    for (String odd : new String[] {"\u0000\u0001\u0002", "Mozilla/5.0 (\ud800\udc00 💥 \u202e)", "((((((((((",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + "9".repeat(500)}) {
      Device device = parser.parse(odd);
      assertThat(device).isNotNull();
    }
  }

  @Test
  void aCachedAnswerIsTheSameObject() {
    String userAgent = CHROME_MACOS.replace("136.0.0.0", "135.0.0.0");
    Device first = parser.parse(userAgent);
    assertThat(parser.parse(new String(userAgent.toCharArray()))).isSameAs(first);
  }

  @Test
  void versionsAreCutToMajorMinor() {
    assertThat(UserAgentParser.majorMinor("138.0.7204.156")).isEqualTo("138.0");
    assertThat(UserAgentParser.majorMinor("18.5")).isEqualTo("18.5");
    assertThat(UserAgentParser.majorMinor("138")).isEqualTo("138");
    assertThat(UserAgentParser.majorMinor(null)).isNull();
  }

  @Test
  void yauaasDeviceClassesMapToOurs() {
    assertThat(describeClass("Set-top box")).isEqualTo("tv");
    assertThat(describeClass("Handheld Game Console")).isEqualTo("console");
    assertThat(describeClass("Mobile")).isEqualTo("mobile");
    assertThat(describeClass("Robot Mobile")).isEqualTo("robot");
    assertThat(describeClass("Spy")).isEqualTo("robot");
    assertThat(describeClass("Anonymized")).isEqualTo("unknown");
    assertThat(describeClass("Something New")).isEqualTo("unknown");
  }

  private static String describeClass(String yauaaClass) {
    return UserAgentParser.describe("x", yauaaClass, "Browser", "X", "1", "Y", "1").deviceClass();
  }

  @Test
  void aParserThatCouldNotBeBuiltAnswersUnknownAndSaysSoAtOnce() throws Exception {
    UserAgentParser broken = UserAgentParser.startBuilding(10, () -> {
      throw new OutOfMemoryError("Java heap space (simulated)");
    });
    long started = System.nanoTime();
    assertThat(broken.awaitReady(Duration.ofMinutes(1))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(broken.ready()).isFalse();
    assertThat(broken.parse(CHROME_WINDOWS)).isEqualTo(Device.UNKNOWN);
  }

  @Test
  void notReadyYetAnswersUnknownWithoutWaitingAndCachesNothing() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    UserAgentAnalyzer real = parser.analyzerIfReady();
    UserAgentParser slow = UserAgentParser.startBuilding(10, () -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return real;
    });
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    slow.bindTo(registry);
    assertThat(slow.awaitReady(Duration.ofMillis(50))).isFalse();
    assertThat(registry.get("trackside.pipeline.user.agent.ready").gauge().value()).as("operators see it building").isZero();
    assertThat(slow.parse(FIREFOX_LINUX)).isEqualTo(Device.UNKNOWN);
    release.countDown();
    assertThat(slow.awaitReady(Duration.ofMinutes(3))).isTrue();
    assertThat(registry.get("trackside.pipeline.user.agent.ready").gauge().value()).isEqualTo(1.0);
    assertThat(slow.parse(FIREFOX_LINUX).deviceClass()).isEqualTo("desktop");
  }

  @Test
  void aFloodOfNeverSeenUserAgentsIsParsedOnlyUpToTheLimitAndCounted() {
    UserAgentParser limited = UserAgentParser.startBuilding(1000, 1, 3, parser::analyzerIfReady);
    while (!limited.ready()) {
      Thread.onSpinWait();
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    limited.bindTo(registry);
    int parsed = 0;
    for (int i = 0; i < 20; i++) {
      if (limited.parse(FIREFOX_LINUX.replace("140.0", "140." + i)).deviceClass() != null) {
        parsed++;
      }
    }
    assertThat(parsed).as("the burst, and perhaps one more refilled meanwhile").isBetween(3, 4);
    assertThat(registry.get("trackside.pipeline.user.agent.unparsed").functionCounter().count()).isEqualTo(20 - parsed);
    assertThat(registry.get("trackside.pipeline.user.agent.parsed").functionCounter().count()).isEqualTo(parsed);
    // What is cached costs no token.
    assertThat(limited.parse(FIREFOX_LINUX.replace("140.0", "140.0")).deviceClass()).isEqualTo("desktop");
  }
}
