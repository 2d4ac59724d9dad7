package io.trackside.pipeline;

/**
 * The pipeline's settings (the {@code privacy:}, {@code enrichment:}, {@code sessions:} and
 * {@code tracking-plan:} sections of the config file).
 *
 * @param storeRawIp   keep full client addresses instead of truncating them (off by default;
 *                     turning it on is a privacy decision the operator must be able to justify)
 * @param trackingPlan where the tracking plan is and how each source is held to it
 */
public record PipelineConfig(boolean storeRawIp, TrackingPlanConfig trackingPlan) {

  public PipelineConfig(boolean storeRawIp) {
    this(storeRawIp, TrackingPlanConfig.none());
  }

  public static PipelineConfig defaults() {
    return new PipelineConfig(false, TrackingPlanConfig.none());
  }
}
