package io.trackside.pipeline;

import static io.trackside.pipeline.UserAgents.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.core.EnrichedEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DeviceFieldsTest {

  private static DeviceFields step;

  @BeforeAll
  static void warmUp() throws InterruptedException {
    step = new DeviceFields(readyParser());
  }

  @Test
  void theUserAgentTheClientSentWinsOverTheRequestHeader() {
    EnrichedEvent e = enriched(page("a-1", "2026-05-01T10:00:00Z", SAFARI_IPHONE_IOS18), ANALYTICS_JAVA);
    step.apply(e);

    assertThat(e.userAgent).isEqualTo(SAFARI_IPHONE_IOS18);
    assertThat(e.browser).isEqualTo("Safari");
    assertThat(e.browserVersion).isEqualTo("18.5");
    assertThat(e.os).isEqualTo("iOS");
    assertThat(e.osVersion).isEqualTo("18.5");
    assertThat(e.deviceClass).isEqualTo("phone");
    assertThat(e.bot).isFalse();
    assertThat(e.botReason).isNull();
  }

  @Test
  void withoutOneTheRequestHeaderIsTheUserAgent() {
    EnrichedEvent e = enriched(page("a-1", "2026-05-01T10:00:00Z", null), GOOGLEBOT_SMARTPHONE);
    step.apply(e);

    assertThat(e.userAgent).isEqualTo(GOOGLEBOT_SMARTPHONE);
    assertThat(e.browser).isEqualTo("Googlebot");
    assertThat(e.deviceClass).isEqualTo("robot");
    assertThat(e.bot).isTrue();
    assertThat(e.botReason).isEqualTo("user_agent");
  }

  @Test
  void aServerSideSdkWithoutTheVisitorsUserAgentIsNoBot() {
    EnrichedEvent e = enriched("{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"u-1\"}", ANALYTICS_NODE);
    step.apply(e);

    assertThat(e.bot).isFalse();
    assertThat(e.deviceClass).isEqualTo("unknown");
  }

  @Test
  void navigatorWebdriverMarksAnAutomatedBrowser() {
    String ordinaryChrome = "{\"type\":\"page\",\"anonymousId\":\"a\",\"context\":{\"userAgent\":" + quote(CHROME_WINDOWS)
        + ",\"webdriver\":true}}";
    EnrichedEvent flagged = enriched(ordinaryChrome, null);
    step.apply(flagged);
    assertThat(flagged.bot).isTrue();
    assertThat(flagged.botReason).isEqualTo("headless");
    assertThat(flagged.browser).isEqualTo("Chrome");

    EnrichedEvent nested = enriched(ordinaryChrome.replace("\"webdriver\":true", "\"navigator\":{\"webdriver\":true}"), null);
    step.apply(nested);
    assertThat(nested.botReason).isEqualTo("headless");

    for (String notTrue : new String[] {"false", "\"true\"", "1", "null", "{}"}) {
      EnrichedEvent e = enriched(ordinaryChrome.replace("\"webdriver\":true", "\"webdriver\":" + notTrue), null);
      step.apply(e);
      assertThat(e.bot).as(notTrue).isFalse();
    }
  }

  @Test
  void clientHintsFromAnalyticsJsAreUsed() {
    String json = "{\"type\":\"page\",\"anonymousId\":\"a\",\"context\":{\"userAgent\":" + quote(CHROME_WINDOWS)
        + ",\"userAgentData\":{\"brands\":[{\"brand\":\"Chromium\",\"version\":\"137\"},"
        + "{\"brand\":\"Google Chrome\",\"version\":\"137\"}],\"mobile\":false,\"platform\":\"Windows\","
        + "\"platformVersion\":\"10.0.0\"}}}";
    EnrichedEvent e = enriched(json, null);
    step.apply(e);

    assertThat(e.os).isEqualTo("Windows");
    assertThat(e.osVersion).isEqualTo("10"); // platformVersion below 13 is Windows 10
  }

  @Test
  void hostileContextsLeaveFieldsUnsetWithoutThrowing() {
    for (String context : new String[] {"{\"userAgent\":42}", "{\"userAgent\":{\"a\":1}}", "{\"userAgent\":[\"x\"]}",
        "{\"userAgentData\":[1,2]}", "{\"userAgentData\":{\"brands\":[null,1,{}]}}", "{\"navigator\":\"x\"}"}) {
      EnrichedEvent e = enriched("{\"type\":\"page\",\"anonymousId\":\"a\",\"context\":" + context + "}", null);
      step.apply(e);
      assertThat(e.decided()).isFalse();
    }
    EnrichedEvent numeric = enriched("{\"type\":\"page\",\"anonymousId\":\"a\",\"context\":{\"userAgent\":42}}", null);
    step.apply(numeric);
    assertThat(numeric.userAgent).isEqualTo("42"); // a number is text too, and says nothing
    assertThat(numeric.bot).isTrue(); // Yauaa: a user agent that is no user agent is an attack
  }

  @Test
  void withUserAgentEnrichmentOffOnlyTheUserAgentIsKept() {
    EnrichedEvent e = enriched(page("a", "2026-05-01T10:00:00Z", HEADLESS_CHROME), null);
    new DeviceFields(null).apply(e);

    assertThat(e.userAgent).isEqualTo(HEADLESS_CHROME);
    assertThat(e.browser).isNull();
    assertThat(e.deviceClass).isNull();
    assertThat(e.bot).isFalse();
  }

  @Test
  void theFirstEventsWaitForTheWarmUpThenAreParsed() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    UserAgentParser real = readyParser();
    UserAgentParser slow = slowParser(release);
    DeviceFields waiting = new DeviceFields(slow, Duration.ofMinutes(1));
    EnrichedEvent e = enriched(page("a", "2026-05-01T10:00:00Z", FIREFOX_WINDOWS), null);

    Thread worker = new Thread(() -> waiting.apply(e));
    worker.start();
    worker.join(300);
    assertThat(worker.isAlive()).as("waits while the analyzer warms up").isTrue();
    release.countDown();
    worker.join(60_000);

    assertThat(worker.isAlive()).isFalse();
    assertThat(e.browser).isEqualTo("Firefox");
    assertThat(real.ready()).isTrue();
  }

  @Test
  void theWaitIsBoundedAfterwardsEventsPassUnparsedUntilReady() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    DeviceFields impatient = new DeviceFields(slowParser(release), Duration.ofMillis(200));

    EnrichedEvent first = enriched(page("a", "2026-05-01T10:00:00Z", FIREFOX_WINDOWS), null);
    long started = System.nanoTime();
    impatient.apply(first);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(first.userAgent).isEqualTo(FIREFOX_WINDOWS);
    assertThat(first.browser).isNull();

    EnrichedEvent second = enriched(page("a", "2026-05-01T10:00:01Z", FIREFOX_WINDOWS), null);
    started = System.nanoTime();
    impatient.apply(second);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("gave up waiting: no second wait")
        .isLessThan(Duration.ofMillis(150));
    assertThat(second.browser).isNull();

    release.countDown();
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    EnrichedEvent later;
    do {
      later = enriched(page("a", "2026-05-01T10:00:02Z", FIREFOX_WINDOWS), null);
      impatient.apply(later);
      Thread.sleep(10);
    } while (later.browser == null && System.nanoTime() < deadline);
    assertThat(later.browser).as("parsed again once ready").isEqualTo("Firefox");
  }

  @Test
  void aWorkerInterruptedWhileWaitingAbandonsTheEventInsteadOfStoringItUnparsed() throws Exception {
    DeviceFields waiting = new DeviceFields(slowParser(new CountDownLatch(1)), Duration.ofMinutes(1));
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread worker = new Thread(() -> {
      try {
        waiting.apply(enriched(page("a", "2026-05-01T10:00:00Z", FIREFOX_WINDOWS), null));
      } catch (Throwable t) {
        thrown.set(t);
      }
    });
    worker.start();
    worker.join(200);
    worker.interrupt();
    worker.join(10_000);

    assertThat(thrown.get()).isInstanceOf(PipelineInterruptedException.class);
    // ... which the pipeline passes on instead of quarantining the event
    Pipeline pipeline = new Pipeline(List.of(new Step() {
      @Override
      public String name() {
        return "stopping";
      }

      @Override
      public void apply(EnrichedEvent e) {
        throw new PipelineInterruptedException("stopping");
      }
    }), new StepTimings(new SimpleMeterRegistry()));
    assertThatThrownBy(() -> pipeline.process(event(page("a", "2026-05-01T10:00:00Z", null), null)))
        .isInstanceOf(PipelineInterruptedException.class);
  }

  /** A parser whose analyzer (the shared one's) is ready only once released. */
  private static UserAgentParser slowParser(CountDownLatch release) {
    return UserAgentParser.startBuilding(100, () -> {
      try {
        release.await();
        return readyParser().analyzerIfReady();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
