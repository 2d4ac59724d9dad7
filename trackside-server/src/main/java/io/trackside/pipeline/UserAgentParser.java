package io.trackside.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns User-Agent strings (and client hints) into {@link Device}s with Yauaa, and caches them.
 *
 * <p>One per process ({@link #shared()}), used by every worker's pipeline: Yauaa's analyzer is
 * immutable and thread-safe once built, costs ~110 MB of heap and several seconds of CPU to
 * build, and its configuration does not depend on any setting, so a second one would only cost.
 * It is built on a background thread: start-up does not wait; steps ask {@link #awaitReady}.
 *
 * <p>The cache holds our small {@link Device} records rather than Yauaa's own results (Yauaa's
 * cache is turned off): a hit is then one lookup with nothing to convert, and an entry costs a
 * few hundred bytes. It is shared by all workers and bounded (Caffeine's W-TinyLFU, so a crawl
 * through thousands of one-off user agents does not evict the everyday browsers). An uncached
 * parse costs Yauaa ~0.4 ms, a hit well under a microsecond (docs/pipeline/ua-bots.md).
 */
final class UserAgentParser {

  private static final Logger log = LoggerFactory.getLogger(UserAgentParser.class);

  /** Distinct user agents (with client hints) remembered; a busy site sees a few thousand a day. */
  static final int CACHE_SIZE = 20_000;

  /**
   * Real user agents are a few hundred characters; Yauaa calls anything longer than its limit an
   * attack. We do the same without asking it, and never keep such a string in the cache.
   */
  static final int MAX_LENGTH = 1024;

  /** Only what we store: Yauaa skips the rules for every other field, which makes it faster. */
  private static final List<String> FIELDS = List.of(UserAgent.DEVICE_CLASS, UserAgent.AGENT_CLASS,
      UserAgent.AGENT_NAME, UserAgent.AGENT_VERSION, UserAgent.OPERATING_SYSTEM_NAME,
      UserAgent.OPERATING_SYSTEM_VERSION);

  /**
   * Uncached parses allowed per second (with a burst of {@link #MISS_BURST}), for all workers
   * together. A miss costs Yauaa 0.4-1 ms, so without a limit a stream of random user agents
   * (a scraper rotating them, or someone posting junk) would hold the workers to ~1,000 events/s
   * and the warehouse would fall behind. Beyond the limit an event is stored without device data
   * (counted in {@code trackside_pipeline_user_agent_unparsed_total}); a real site meets new user
   * agents at a few per second, and a restart's backlog fills the cache within the burst.
   */
  static final int MISSES_PER_SECOND = 200;
  static final int MISS_BURST = 5_000;

  private static final Device OVERLONG = new Device(null, null, null, null, "robot", "user_agent");

  /** Yauaa's device classes, in our lower-case vocabulary (docs/pipeline/ua-bots.md). */
  private static final Map<String, String> DEVICE_CLASSES = Map.ofEntries(
      Map.entry("Desktop", "desktop"),
      Map.entry("Phone", "phone"),
      Map.entry("Tablet", "tablet"),
      Map.entry("Mobile", "mobile"), // mobile, but Yauaa cannot tell phone from tablet
      Map.entry("Watch", "watch"),
      Map.entry("Virtual Reality", "vr"),
      Map.entry("eReader", "ereader"),
      Map.entry("TV", "tv"),
      Map.entry("Set-top box", "tv"),
      Map.entry("Game Console", "console"),
      Map.entry("Handheld Game Console", "console"),
      Map.entry("Voice", "voice"),
      Map.entry("Car", "car"),
      Map.entry("Robot", "robot"),
      Map.entry("Robot Mobile", "robot"),
      Map.entry("Robot Imitator", "robot"),
      Map.entry("Spy", "robot"),
      Map.entry("Hacker", "robot"),
      Map.entry("Anonymized", "unknown"),
      Map.entry("Unknown", "unknown"));

  private static final List<String> ROBOT_DEVICE_CLASSES = List.of("Robot", "Robot Mobile", "Robot Imitator", "Spy",
      "Hacker");
  private static final List<String> ROBOT_AGENT_CLASSES = List.of("Robot", "Robot Mobile", "Hacker",
      "Cloud Application");

  /**
   * Headless and automated browsers. Yauaa calls HeadlessChrome a robot but Chrome-Lighthouse
   * and HeadlessEdg ordinary browsers; either way, "headless" is the more useful reason.
   */
  private static final List<String> HEADLESS_MARKERS = List.of("headless", "phantomjs", "slimerjs", "lighthouse",
      "puppeteer", "playwright", "selenium", "webdriver");

  /**
   * HTTP libraries and monitors that Yauaa does not call robots (it classes several Python
   * clients as "Special" agents). Checked only on a cache miss, so their cost does not matter.
   */
  private static final List<String> KNOWN_AUTOMATION = List.of("python-", "python/", "aiohttp", "httpx", "urllib",
      "undici", "node-fetch", "axios/", "curl/", "wget/", "go-http-client", "okhttp", "java/", "java-http-client",
      "apache-httpclient", "libwww-perl", "scrapy", "httpie", "postmanruntime", "guzzlehttp", "uptime", "pingdom",
      "statuscake", "site24x7", "crawler", "spider");

  /**
   * The tracking libraries a site's own server sends events with (Segment's and RudderStack's
   * SDKs, ours). Their User-Agent is the library's, not the visitor's: not a bot. Yauaa calls
   * some of them "Special" agents and single-word ones ("RudderLabs Node SDK") attacks.
   */
  private static final List<String> TRACKING_LIBRARIES = List.of("analytics-", "analytics.", "rudder", "trackside");

  /** Real user agents of today's browsers, parsed once the analyzer is built: warms the JIT and the cache. */
  private static final List<String> WARM_UP = List.of(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Mobile Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (iPad; CPU OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36 Edg/138.0.0.0",
      "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");

  private static final class Shared {
    static final UserAgentParser INSTANCE = startBuilding(CACHE_SIZE);
  }

  private final CompletableFuture<UserAgentAnalyzer> analyzer = new CompletableFuture<>();
  private final Cache<String, Device> cache;
  private final double missesPerSecond;
  private final double missBurst;
  private double missTokens;
  private long missTokensAt = System.nanoTime();
  private final AtomicLong parsed = new AtomicLong();
  private final AtomicLong unparsed = new AtomicLong();

  private UserAgentParser(int cacheSize, int missesPerSecond, int missBurst) {
    this.cache = Caffeine.newBuilder().maximumSize(cacheSize).build();
    this.missesPerSecond = missesPerSecond;
    this.missBurst = missBurst;
    this.missTokens = missBurst;
  }

  /** Readiness, cache size, parses and the events left unparsed over the miss limit, as meters of this registry. */
  void bindTo(MeterRegistry registry) {
    Gauge.builder("trackside.pipeline.user.agent.ready", this, parser -> parser.ready() ? 1 : 0)
        .description("1 once the user-agent analyzer is built (the workers' first events wait for it), else 0")
        .register(registry);
    Gauge.builder("trackside.pipeline.user.agent.cache.size", cache, Cache::estimatedSize)
        .description("distinct user agents in the parsed-device cache").register(registry);
    FunctionCounter.builder("trackside.pipeline.user.agent.parsed", parsed, AtomicLong::get)
        .description("user agents parsed by Yauaa (cache misses)").register(registry);
    FunctionCounter.builder("trackside.pipeline.user.agent.unparsed", unparsed, AtomicLong::get)
        .description("events stored without device data because the uncached parses per second were used up")
        .register(registry);
  }

  /** The process's parser; the first call starts building it in the background. */
  static UserAgentParser shared() {
    return Shared.INSTANCE;
  }

  /** Returns at once; the analyzer is built and warmed up on a daemon thread. */
  static UserAgentParser startBuilding(int cacheSize) {
    return startBuilding(cacheSize, UserAgentParser::newAnalyzer);
  }

  /** @param analyzer builds the analyzer (tests give one that fails or takes its time) */
  static UserAgentParser startBuilding(int cacheSize, Supplier<UserAgentAnalyzer> analyzer) {
    return startBuilding(cacheSize, MISSES_PER_SECOND, MISS_BURST, analyzer);
  }

  static UserAgentParser startBuilding(int cacheSize, int missesPerSecond, int missBurst,
                                       Supplier<UserAgentAnalyzer> analyzer) {
    UserAgentParser parser = new UserAgentParser(cacheSize, missesPerSecond, missBurst);
    Thread builder = new Thread(() -> parser.build(analyzer), "trackside-user-agent-warm-up");
    builder.setDaemon(true);
    builder.start();
    return parser;
  }

  private static UserAgentAnalyzer newAnalyzer() {
    return UserAgentAnalyzer.newBuilder()
        .hideMatcherLoadStats()
        .dropTests()
        .withoutCache()
        .withFields(FIELDS)
        .withUserAgentMaxLength(MAX_LENGTH)
        .immediateInitialization()
        .build();
  }

  private void build(Supplier<UserAgentAnalyzer> newAnalyzer) {
    log.info("Building the user-agent analyzer in the background (seconds); the workers' first events wait for it");
    long started = System.nanoTime();
    try {
      UserAgentAnalyzer built = newAnalyzer.get();
      long builtAt = System.nanoTime();
      for (String userAgent : WARM_UP) {
        cache.put(userAgent, analyse(built, userAgent, userAgent));
      }
      analyzer.complete(built);
      log.info("User-agent analyzer ready in {} ms (built in {} ms, warmed up in {} ms)",
          (System.nanoTime() - started) / 1_000_000, (builtAt - started) / 1_000_000,
          (System.nanoTime() - builtAt) / 1_000_000);
    } catch (Throwable e) { // an OutOfMemoryError too: workers must learn that it will never be ready
      analyzer.completeExceptionally(e);
      log.error("The user-agent analyzer could not be built: {}. Events are stored without browser, OS, device"
          + " class or user-agent bot flags; give the JVM more heap (-Xmx) and restart.", e.toString(), e);
    }
  }

  boolean ready() {
    return analyzer.isDone() && !analyzer.isCompletedExceptionally();
  }

  /** The built analyzer, or null: lets tests make parsers with other limits without building another. */
  UserAgentAnalyzer analyzerIfReady() {
    return ready() ? analyzer.join() : null;
  }

  /** Whether it is ready within the timeout; false at once when building failed. */
  boolean awaitReady(Duration timeout) throws InterruptedException {
    try {
      analyzer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  /**
   * The device a user agent describes; {@link Device#UNKNOWN} for none, or while the analyzer is
   * not ready. Never throws.
   */
  Device parse(String userAgent) {
    return parse(userAgent, userAgent);
  }

  /** @param cacheKey the user agent, or the user agent with client hints ({@link ClientHints#cacheKey}) */
  Device parse(String userAgent, String cacheKey) {
    if (userAgent == null || userAgent.isEmpty()) {
      return Device.UNKNOWN;
    }
    if (userAgent.length() > MAX_LENGTH) {
      return OVERLONG;
    }
    Device device = cache.getIfPresent(cacheKey);
    if (device == null) {
      if (!ready()) {
        return Device.UNKNOWN;
      }
      if (!takeMissToken()) {
        unparsed.incrementAndGet();
        return Device.UNKNOWN; // not cached: the next sighting may be parsed
      }
      device = analyse(analyzer.join(), userAgent, cacheKey);
      parsed.incrementAndGet();
      cache.put(cacheKey, device);
    }
    return device;
  }

  /** A token bucket; only cache misses come here, so the lock is never busy. */
  private synchronized boolean takeMissToken() {
    long now = System.nanoTime();
    missTokens = Math.min(missBurst, missTokens + (now - missTokensAt) * missesPerSecond / 1e9);
    missTokensAt = now;
    if (missTokens < 1) {
      return false;
    }
    missTokens -= 1;
    return true;
  }

  private static Device analyse(UserAgentAnalyzer analyzer, String userAgent, String cacheKey) {
    if (userAgent.isBlank()) {
      return Device.UNKNOWN; // Yauaa calls an empty user agent an attack; it is only missing
    }
    UserAgent parsed;
    try {
      parsed = cacheKey.length() == userAgent.length() ? analyzer.parse(userAgent)
          : analyzer.parse(ClientHints.headers(userAgent, cacheKey));
    } catch (RuntimeException e) { // not seen, but a library bug must not fail the event
      log.debug("Yauaa failed on user agent {}: {}", userAgent, e.toString());
      return Device.UNKNOWN;
    }
    return describe(userAgent, parsed.getValue(UserAgent.DEVICE_CLASS), parsed.getValue(UserAgent.AGENT_CLASS),
        parsed.getValue(UserAgent.AGENT_NAME), parsed.getValue(UserAgent.AGENT_VERSION),
        parsed.getValue(UserAgent.OPERATING_SYSTEM_NAME), parsed.getValue(UserAgent.OPERATING_SYSTEM_VERSION));
  }

  /** Yauaa's verdict as a {@link Device}, with our bot rules applied (docs/pipeline/ua-bots.md). */
  static Device describe(String userAgent, String deviceClass, String agentClass, String agentName,
                         String agentVersion, String osName, String osVersion) {
    String lower = userAgent.toLowerCase(Locale.ROOT);
    boolean trackingLibrary = TRACKING_LIBRARIES.stream().anyMatch(lower::startsWith);
    boolean attack = "Hacker".equals(deviceClass) || "Hacker".equals(agentClass);
    String botReason = null;
    if (!trackingLibrary) {
      if (HEADLESS_MARKERS.stream().anyMatch(lower::contains)) {
        botReason = "headless";
      } else if (ROBOT_DEVICE_CLASSES.contains(deviceClass) || ROBOT_AGENT_CLASSES.contains(agentClass)
          || KNOWN_AUTOMATION.stream().anyMatch(lower::contains)) {
        botReason = "user_agent";
      }
    }
    if (attack) {
      // Yauaa fills every field with "Hacker": nothing about the device is known.
      return new Device(null, null, null, null, trackingLibrary ? "unknown" : "robot", botReason);
    }
    String mappedClass = DEVICE_CLASSES.getOrDefault(deviceClass, "unknown");
    if ("user_agent".equals(botReason) && ("desktop".equals(mappedClass) || "unknown".equals(mappedClass))) {
      mappedClass = "robot"; // e.g. Yauaa's "Special" agents caught by our own list
    }
    return new Device(known(agentName), majorMinor(known(agentVersion)), osName(known(osName)), known(osVersion),
        mappedClass, botReason);
  }

  /** Yauaa says "Unknown" and "??" where it does not know. */
  private static String known(String value) {
    if (value == null || value.isEmpty() || value.equals(UserAgent.UNKNOWN_VALUE)
        || value.equals(UserAgent.UNKNOWN_VERSION) || value.equals(UserAgent.UNKNOWN_NAME_VERSION)) {
      return null;
    }
    return value.intern(); // a few thousand distinct values shared by 20,000 cache entries
  }

  private static String osName(String yauaa) {
    if (yauaa == null) {
      return null;
    }
    return switch (yauaa) {
      case "Windows NT" -> "Windows";
      case "Mac OS", "Mac OS X" -> "macOS";
      default -> yauaa;
    };
  }

  /** "138.0.7204.156" → "138.0"; "18.5" and "138" stay. */
  static String majorMinor(String version) {
    if (version == null) {
      return null;
    }
    int first = version.indexOf('.');
    int second = first < 0 ? -1 : version.indexOf('.', first + 1);
    return second < 0 ? version : version.substring(0, second).intern();
  }
}
