package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * A by-hand measurement, not a test: the CPU cost per event of the page step and the
 * attribution and privacy steps on one thread, over a mix of realistic page, track and identify
 * events (landing pages with utm tags and click ids, search, social, webmail and internal
 * referrers, consent signals, traits with e-mail and phone). Every round decodes the events
 * afresh (untimed), as the workers do for every pass over the log.
 *
 * <pre>
 * java -cp ... io.trackside.pipeline.AttributionCost [EVENTS_PER_ROUND] [ROUNDS]
 * </pre>
 */
public final class AttributionCost {

  private static final String[] REFERRERS = {
      "https://www.google.com/", "https://www.google.de/", "https://www.google.co.uk/", "https://www.bing.com/",
      "https://duckduckgo.com/", "https://l.facebook.com/", "https://lm.facebook.com/l.php?u=https%3A%2F%2Fshop.example%2F",
      "https://t.co/AbCdEf1234", "android-app://com.google.android.gm/", "https://out.reddit.com/t3_1abcd",
      "https://shop.example/p/red-shoes", "https://www.runnersworld.example/best-shoes-2024", "https://chatgpt.com/", null, null};
  private static final String[] QUERIES = {"", "", "", "?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=Cj0KCQjw_wcB",
      "?utm_source=newsletter&utm_medium=email&utm_campaign=2024-05", "?fbclid=IwAR2F4-dbP0l7Mn1IhRlyhz_YlY2pxhwXAm1OT1QDJ6lT6h",
      "?size=42&color=blue", "?q=running+shoes&page=2"};
  private static final String[] CONSENT = {"", ",\"consent\":{\"categoryPreferences\":{\"Analytics\":true,\"Advertising\":false}}",
      ",\"consent\":{\"ad_storage\":\"granted\",\"analytics_storage\":\"granted\",\"ad_user_data\":\"denied\"}",
      ",\"consent\":{\"tcfString\":\"CQHovfwQHovfwAHADBENBLFgAP_gAEPAAAYgAAAAAAAA.IAAA.YAAAAAAAAAAA\"}"};

  public static void main(String[] args) {
    int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    List<String> json = new ArrayList<>();
    for (int i = 0; i < perRound; i++) {
      json.add(event(i));
    }
    PipelineConfig config = PipelineConfig.defaults();
    List<Step> steps = List.of(new PageFields(), new UrlHygiene(config.attribution().scrubParams()), new CampaignFields(),
        new ReferrerChannel(config.attribution().referrers()), new ConsentSignals(), new PiiScrub(config.pii()));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    // Step by step over a batch of freshly decoded events, timed by this thread's CPU time, so
    // that other processes on a busy machine do not count (wall-clock timings would).
    long[] cpu = new long[steps.size()];
    for (int round = -3; round < rounds; round++) { // three rounds to warm the JIT up
      List<EnrichedEvent> batch = new ArrayList<>(perRound);
      for (String text : json) {
        batch.add(new EnrichedEvent(PipelineFixtures.decode(text)));
      }
      for (int s = 0; s < steps.size(); s++) {
        Step step = steps.get(s);
        long before = threads.getCurrentThreadCpuTime();
        for (EnrichedEvent e : batch) {
          step.apply(e);
        }
        if (round >= 0) {
          cpu[s] += threads.getCurrentThreadCpuTime() - before;
        }
      }
    }
    // Event by event, as the pipeline runs, each step timed by the wall clock as StepTimings does.
    long[] wall = new long[steps.size()];
    for (int round = -3; round < rounds; round++) {
      List<EnrichedEvent> batch = new ArrayList<>(perRound);
      for (String text : json) {
        batch.add(new EnrichedEvent(PipelineFixtures.decode(text)));
      }
      for (EnrichedEvent e : batch) {
        for (int s = 0; s < steps.size(); s++) {
          long before = System.nanoTime();
          steps.get(s).apply(e);
          if (round >= 0) {
            wall[s] += System.nanoTime() - before;
          }
        }
      }
    }
    long processed = (long) perRound * rounds;
    long totalCpu = 0;
    long totalWall = 0;
    System.out.printf("%d events (%d distinct) per measure; ns per event:%n", processed, perRound);
    System.out.printf("  %-12s %12s %12s%n", "step", "CPU, by step", "wall, by event");
    for (int s = 0; s < steps.size(); s++) {
      totalCpu += cpu[s];
      totalWall += wall[s];
      System.out.printf("  %-12s %12.0f %12.0f%n", steps.get(s).name(), (double) cpu[s] / processed,
          (double) wall[s] / processed);
    }
    System.out.printf("  %-12s %12.0f %12.0f%n", "together", (double) totalCpu / processed, (double) totalWall / processed);
  }

  private static String event(int i) {
    String referrer = REFERRERS[i % REFERRERS.length];
    String url = "https://shop.example/p/product-" + (i % 500) + QUERIES[i % QUERIES.length];
    String context = "\"context\":{\"page\":{\"url\":" + PipelineFixtures.quote(url) + ",\"referrer\":"
        + PipelineFixtures.quote(referrer) + ",\"title\":\"Product " + (i % 500) + " | Shop\",\"path\":\"/p/product-"
        + (i % 500) + "\"},\"locale\":\"de-DE\",\"library\":{\"name\":\"analytics.js\",\"version\":\"5.2.0\"}"
        + CONSENT[i % CONSENT.length] + "}";
    return switch (i % 10) {
      case 0 -> "{\"type\":\"identify\",\"anonymousId\":\"a" + i + "\",\"userId\":\"u" + i + "\",\"traits\":{\"email\":\"jane"
          + i + "@example.com\",\"phone\":\"+49 151 1234" + (1000 + i % 9000) + "\",\"plan\":\"pro\",\"name\":\"Jane Doe\"},"
          + context + "}";
      case 1, 2, 3, 4 -> "{\"type\":\"page\",\"anonymousId\":\"a" + i + "\",\"name\":\"Product\",\"properties\":{\"url\":"
          + PipelineFixtures.quote(url) + ",\"referrer\":" + PipelineFixtures.quote(referrer) + "}," + context + "}";
      default -> "{\"type\":\"track\",\"event\":\"Product Viewed\",\"anonymousId\":\"a" + i + "\",\"properties\":{"
          + "\"product_id\":\"sku-" + i + "\",\"name\":\"Blue running shoes\",\"price\":89.9,\"currency\":\"EUR\","
          + "\"category\":\"Shoes\",\"quantity\":1},"
          + context + "}";
    };
  }
}
