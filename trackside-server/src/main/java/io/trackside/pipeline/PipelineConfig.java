package io.trackside.pipeline;

import java.time.Duration;
import java.time.ZoneId;

/**
 * The pipeline's settings (the {@code privacy:}, {@code enrichment:}, {@code bots:},
 * {@code sessions:} and {@code tracking-plan:} sections of the config file).
 *
 * @param storeRawIp          keep full client addresses instead of truncating them (off by default;
 *                            turning it on is a privacy decision the operator must be able to justify)
 * @param userAgent           parse user agents into browser, OS and device class, and flag bots by
 *                            their user agent (Yauaa; on by default)
 * @param dropBots            drop events flagged as bots instead of storing them flagged
 * @param behaviourMaxPages   a visitor with more page/screen views than this within
 *                            {@code behaviourWindow} is flagged as a bot; 0 turns the layer off
 * @param behaviourWindow     the window of the behaviour layer, by event timestamp
 * @param trackingPlan        where the tracking plan is and how each source is held to it
 * @param attribution         URL scrubbing and the referrer table
 * @param pii                 what happens to e-mail addresses and phone numbers in traits and properties
 * @param cookieless          give events without ids that carry the cookieless marker a daily visitor
 *                            id (on by default); off, such events are quarantined
 * @param sessionTimeout      inactivity after which a visitor's next event starts a new session
 * @param timeZone            the site's time zone: sessions are cut at its midnight, and the cookieless
 *                            salt changes at its midnight
 * @param geo                 the IP databases for geo and the hosting-network bot layer
 */
public record PipelineConfig(boolean storeRawIp, boolean userAgent, boolean dropBots, int behaviourMaxPages,
                             Duration behaviourWindow, TrackingPlanConfig trackingPlan,
                             AttributionConfig attribution, PiiPolicy pii,
                             boolean cookieless, Duration sessionTimeout, ZoneId timeZone, GeoConfig geo) {

  /** Beyond this the behaviour layer's memory per visitor would grow needlessly. */
  public static final int MAX_BEHAVIOUR_PAGES = 1000;

  public PipelineConfig {
    if (behaviourMaxPages < 0 || behaviourMaxPages > MAX_BEHAVIOUR_PAGES) {
      throw new IllegalArgumentException("bots.behaviour-max-pages must be between 0 (off) and "
          + MAX_BEHAVIOUR_PAGES + ", got " + behaviourMaxPages);
    }
    if (behaviourWindow == null || behaviourWindow.isZero() || behaviourWindow.isNegative()) {
      throw new IllegalArgumentException("bots.behaviour-window must be a positive duration, got " + behaviourWindow);
    }
    if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
      throw new IllegalArgumentException("the session timeout must be positive");
    }
  }

  public static PipelineConfig defaults() {
    return new PipelineConfig(false, true, false, 10, Duration.ofSeconds(10), TrackingPlanConfig.none(),
        AttributionConfig.defaults(), PiiPolicy.defaults(), true, Duration.ofMinutes(30), ZoneId.of("UTC"),
        GeoConfig.off());
  }

  public PipelineConfig withTrackingPlan(TrackingPlanConfig plan) {
    return new PipelineConfig(storeRawIp, userAgent, dropBots, behaviourMaxPages, behaviourWindow, plan,
        attribution, pii, cookieless, sessionTimeout, timeZone, geo);
  }
}
