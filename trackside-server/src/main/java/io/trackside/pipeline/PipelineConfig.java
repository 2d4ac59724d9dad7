package io.trackside.pipeline;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The pipeline's settings (the {@code privacy:}, {@code enrichment:}, {@code sessions:} and
 * {@code tracking-plan:} sections of the config file).
 *
 * @param storeRawIp     keep full client addresses instead of truncating them (off by default;
 *                       turning it on is a privacy decision the operator must be able to justify)
 * @param cookieless     give events without ids that carry the cookieless marker a daily visitor
 *                       id (on by default); off, such events are quarantined
 * @param sessionTimeout inactivity after which a visitor's next event starts a new session
 * @param timeZone       the site's time zone: sessions are cut at its midnight, and the cookieless
 *                       salt changes at its midnight
 * @param trackingPlan   where the tracking plan is and how each source is held to it
 */
public record PipelineConfig(boolean storeRawIp, boolean cookieless, Duration sessionTimeout, ZoneId timeZone,
                             TrackingPlanConfig trackingPlan) {

  public PipelineConfig {
    if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
      throw new IllegalArgumentException("the session timeout must be positive");
    }
  }

  /** The defaults, but for whether raw IPs are stored. */
  public PipelineConfig(boolean storeRawIp) {
    this(storeRawIp, true, Duration.ofMinutes(30), ZoneOffset.UTC, TrackingPlanConfig.none());
  }

  public static PipelineConfig defaults() {
    return new PipelineConfig(false);
  }
}
