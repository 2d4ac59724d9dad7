package io.trackside.pipeline;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.ReceivedEvent;
import io.trackside.core.SegmentEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

/**
 * A by-hand measurement, not a test: what the device (user agent + bot) and behaviour steps cost
 * per event on one thread, with a warm cache and a realistic mix of user agents, next to the
 * other steps of the standard pipeline; plus what a cache miss costs.
 *
 * <pre>
 * java -cp ... io.trackside.pipeline.UserAgentCost [EVENTS] [ROUNDS]
 * </pre>
 */
public final class UserAgentCost {

  /** Roughly the shares of a European shop's traffic, browsers and bots. */
  private static final Map<String, Integer> MIX = Map.ofEntries(
      Map.entry(UserAgents.CHROME_WINDOWS, 22),
      Map.entry(UserAgents.SAFARI_IPHONE_IOS18, 16),
      Map.entry(UserAgents.CHROME_ANDROID, 14),
      Map.entry(UserAgents.SAFARI_IPHONE_IOS17, 6),
      Map.entry(UserAgents.CHROME_MACOS, 6),
      Map.entry(UserAgents.SAFARI_MACOS, 5),
      Map.entry(UserAgents.EDGE_WINDOWS, 6),
      Map.entry(UserAgents.SAMSUNG_INTERNET, 4),
      Map.entry(UserAgents.FIREFOX_WINDOWS, 4),
      Map.entry(UserAgents.SAFARI_IPAD_IOS18, 3),
      Map.entry(UserAgents.CHROME_IOS, 3),
      Map.entry(UserAgents.FIREFOX_MACOS, 1),
      Map.entry(UserAgents.CHROME_ANDROID_TABLET, 1),
      Map.entry(UserAgents.GOOGLEBOT_SMARTPHONE, 2),
      Map.entry(UserAgents.BINGBOT, 1),
      Map.entry(UserAgents.GPTBOT, 1),
      Map.entry(UserAgents.HEADLESS_CHROME, 1),
      Map.entry(UserAgents.UPTIMEROBOT, 1));

  /** analytics.js adds the low-entropy client hints to every event from a Chromium browser. */
  private static String hints(String userAgent) {
    if (!userAgent.contains("Chrome/") || userAgent.contains("Headless") || userAgent.contains("compatible")) {
      return "";
    }
    String brand = userAgent.contains("Edg/") ? "Microsoft Edge" : userAgent.contains("SamsungBrowser") ? "Samsung Internet"
        : "Google Chrome";
    String platform = userAgent.contains("Android") ? "Android" : userAgent.contains("Windows") ? "Windows" : "macOS";
    return ",\"userAgentData\":{\"brands\":[{\"brand\":\"Not)A;Brand\",\"version\":\"8\"},"
        + "{\"brand\":\"Chromium\",\"version\":\"138\"},{\"brand\":\"" + brand + "\",\"version\":\"138\"}],"
        + "\"mobile\":" + userAgent.contains("Mobile") + ",\"platform\":\"" + platform + "\"}";
  }

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    List<String> pool = new ArrayList<>();
    MIX.forEach((ua, weight) -> {
      for (int i = 0; i < weight; i++) {
        pool.add(ua);
      }
    });
    // Plus a long tail: every visitor's exact version string differs a little (minor Chrome and
    // iOS builds, in-app browsers), 400 distinct strings at 10% of the traffic.
    Random random = new Random(42);
    // The same events twice: as analytics.js sends them (client hints with Chromium browsers)
    // and without any hints (other SDKs, gtag, server-side senders), measured side by side.
    List<byte[]> withHints = new ArrayList<>(events);
    List<byte[]> withoutHints = new ArrayList<>(events);
    int hinted = 0;
    Instant start = Instant.parse("2026-05-01T10:00:00Z");
    for (int i = 0; i < events; i++) {
      String ua = random.nextInt(10) == 0
          ? UserAgents.CHROME_WINDOWS.replace("137.0.0.0", "13" + random.nextInt(10) + ".0." + random.nextInt(40) + ".0")
          : pool.get(random.nextInt(pool.size()));
      String type = random.nextInt(3) == 0 ? "page" : "track";
      String head = "{\"type\":\"" + type + "\",\"event\":\"Product Viewed\",\"messageId\":\"m-" + i
          + "\",\"anonymousId\":\"anon-" + random.nextInt(50_000) + "\",\"timestamp\":\"" + start.plusMillis(i * 20L)
          + "\",\"properties\":{\"product_id\":\"sku-1234\",\"price\":89.9},\"context\":{\"userAgent\":"
          + UserAgents.quote(ua);
      String tail = ",\"page\":{\"url\":\"https://shop.example/p/blue-shoes?utm_source=news\","
          + "\"referrer\":\"https://www.google.com/\"},\"locale\":\"de-DE\"}}";
      withHints.add((head + hints(ua) + tail).getBytes(StandardCharsets.UTF_8));
      withoutHints.add((head + tail).getBytes(StandardCharsets.UTF_8));
      if (!hints(ua).isEmpty()) {
        hinted++;
      }
    }

    long warmUpStarted = System.nanoTime();
    UserAgentParser.shared().awaitReady(Duration.ofMinutes(5));
    System.out.printf("analyzer ready %d ms after the first request for it%n",
        (System.nanoTime() - warmUpStarted) / 1_000_000);

    for (int round = 0; round < rounds; round++) {
      for (boolean hints : new boolean[] {true, false}) {
        StepTimings timings = new StepTimings(new SimpleMeterRegistry());
        Pipeline pipeline = new StandardPipeline(PipelineConfig.defaults(), timings).create(0);
        List<byte[]> bodies = hints ? withHints : withoutHints;
        int bots = 0;
        for (int i = 0; i < events; i++) {
          // Decoded afresh like the worker does, so every user agent is a new String to hash.
          ReceivedEvent received = new ReceivedEvent(start.toEpochMilli() + i * 20L, "web", "203.0.113.77",
              null, null, null, bodies.get(i));
          if (pipeline.process(SegmentEvents.decode(received)).bot) {
            bots++;
          }
        }
        if (round == rounds - 1 || round == 0) {
          System.out.printf("round %d, %s: %d events, %.1f%% bots; per event:", round + 1,
              hints ? String.format("%.0f%% with client hints", hinted * 100.0 / events) : "no client hints",
              events, bots * 100.0 / events);
          timings.snapshot().forEach((step, nanos) -> System.out.printf(" %s %.2f µs", step, nanos / 1000.0 / events));
          System.out.println();
        }
      }
    }

    // What a miss costs: Yauaa on user agents it has not seen.
    UserAgentParser parser = UserAgentParser.shared();
    int misses = 2000;
    for (int pass = 0; pass < 3; pass++) { // the first passes warm Yauaa's code up
      long missStarted = System.nanoTime();
      for (int i = 0; i < misses; i++) {
        parser.parse(UserAgents.SAMSUNG_INTERNET.replace("27.0", pass + "." + i));
      }
      System.out.printf("cache miss (Yauaa parse), pass %d: %.0f µs each%n", pass + 1,
          (System.nanoTime() - missStarted) / 1000.0 / misses);
    }

    // The road not taken: Yauaa's own cache, reading the six fields from its result on every hit.
    UserAgentAnalyzer cached = UserAgentAnalyzer.newBuilder().hideMatcherLoadStats().dropTests().withCache(20_000)
        .withFields(UserAgent.DEVICE_CLASS, UserAgent.AGENT_CLASS, UserAgent.AGENT_NAME, UserAgent.AGENT_VERSION,
            UserAgent.OPERATING_SYSTEM_NAME, UserAgent.OPERATING_SYSTEM_VERSION).build();
    List<String> fresh = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      fresh.add(new String(pool.get(i % pool.size()).toCharArray()));
    }
    long sink = 0;
    for (int pass = 0; pass < 5; pass++) {
      long passStarted = System.nanoTime();
      for (String ua : fresh) {
        UserAgent parsed = cached.parse(new String(ua.toCharArray()));
        sink += parsed.getValue(UserAgent.DEVICE_CLASS).length() + parsed.getValue(UserAgent.AGENT_NAME).length()
            + parsed.getValue(UserAgent.AGENT_VERSION).length() + parsed.getValue(UserAgent.AGENT_CLASS).length()
            + parsed.getValue(UserAgent.OPERATING_SYSTEM_NAME).length()
            + parsed.getValue(UserAgent.OPERATING_SYSTEM_VERSION).length();
      }
      if (pass == 4) {
        System.out.printf("Yauaa's own cache, hit + six getValue: %.2f µs (%d)%n",
            (System.nanoTime() - passStarted) / 1000.0 / fresh.size(), sink % 10);
      }
    }
    for (int pass = 0; pass < 5; pass++) {
      long passStarted = System.nanoTime();
      for (String ua : fresh) {
        sink += parser.parse(new String(ua.toCharArray())).deviceClass().length();
      }
      if (pass == 4) {
        System.out.printf("our cache of Device records, hit: %.2f µs (%d)%n",
            (System.nanoTime() - passStarted) / 1000.0 / fresh.size(), sink % 10);
      }
    }
  }
}
