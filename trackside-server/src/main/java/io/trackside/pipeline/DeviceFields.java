package io.trackside.pipeline;

import static io.trackside.pipeline.JsonText.nonEmpty;
import static io.trackside.pipeline.JsonText.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.core.EnrichedEvent;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user agent ({@code context.userAgent} as sent by the client, else the request's header)
 * and what it tells: browser, OS, device class, and the user-agent bot layers ({@code user_agent}:
 * crawlers, monitors, HTTP libraries; {@code headless}: headless and automated browsers, also
 * when the event says {@code navigator.webdriver} was true).
 *
 * <p>Waits for the analyzer's background warm-up on the first events rather than storing them
 * unparsed: the worker is not the collector, so ingest goes on meanwhile and the events only
 * reach the warehouse a few seconds later; the alternative would store every event of a
 * restart's backlog without device data, for good. The wait is bounded: after
 * {@link #READY_WAIT} the step gives up waiting and stores events without device data until
 * the analyzer is ready (or for good if building it failed, which is logged).
 */
final class DeviceFields implements Step {

  private static final Logger log = LoggerFactory.getLogger(DeviceFields.class);

  /** Several times the slowest warm-up seen on a busy 2-core machine (~15 s). */
  static final Duration READY_WAIT = Duration.ofMinutes(2);

  private final UserAgentParser parser;
  private final Duration readyWait;
  private boolean gaveUpWaiting;
  /** For the cache key with client hints; this step belongs to one worker thread. */
  private final StringBuilder scratch = new StringBuilder(512);

  /** @param parser null when user-agent enrichment is off: only the user agent itself is kept */
  DeviceFields(UserAgentParser parser) {
    this(parser, READY_WAIT);
  }

  DeviceFields(UserAgentParser parser, Duration readyWait) {
    this.parser = parser;
    this.readyWait = readyWait;
  }

  @Override
  public String name() {
    return "device";
  }

  @Override
  public void apply(EnrichedEvent e) {
    JsonNode context = e.event().context();
    String sent = nonEmpty(text(context, "userAgent"));
    e.userAgent = sent != null ? sent : e.event().userAgent();
    if (parser == null || !analyzerReady()) {
      return;
    }
    Device device = parser.parse(e.userAgent, ClientHints.cacheKey(e.userAgent, context.get("userAgentData"), scratch));
    e.browser = device.browser();
    e.browserVersion = device.browserVersion();
    e.os = device.os();
    e.osVersion = device.osVersion();
    e.deviceClass = device.deviceClass();
    if (device.botReason() != null) {
      e.bot = true;
      e.botReason = device.botReason();
    } else if (webdriver(context)) {
      e.bot = true;
      e.botReason = "headless";
    }
  }

  /** navigator.webdriver, true in browsers driven by Selenium, Puppeteer or Playwright. */
  private static boolean webdriver(JsonNode context) {
    JsonNode flag = context.get("webdriver");
    if (flag == null) {
      flag = context.path("navigator").get("webdriver");
    }
    return flag != null && flag.isBoolean() && flag.booleanValue();
  }

  private boolean analyzerReady() {
    if (parser.ready()) {
      return true;
    }
    if (gaveUpWaiting) {
      return false;
    }
    long started = System.nanoTime();
    try {
      if (parser.awaitReady(readyWait)) {
        log.debug("{} waited {} ms for the user-agent analyzer", Thread.currentThread().getName(),
            (System.nanoTime() - started) / 1_000_000);
        return true;
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new PipelineInterruptedException("interrupted while waiting for the user-agent analyzer");
    }
    gaveUpWaiting = true;
    log.warn("The user-agent analyzer is not ready after {} s; events are stored without browser, OS and device"
        + " class until it is", readyWait.toSeconds());
    return false;
  }
}
