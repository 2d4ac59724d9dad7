package io.trackside.pipeline;

/**
 * The pipeline's settings (the {@code privacy:}, {@code enrichment:}, {@code sessions:} and
 * {@code tracking-plan:} sections of the config file).
 *
 * @param storeRawIp keep full client addresses instead of truncating them (off by default;
 *                   turning it on is a privacy decision the operator must be able to justify)
 * @param geo        the IP databases for geo and the hosting-network bot layer
 */
public record PipelineConfig(boolean storeRawIp, GeoConfig geo) {

  public static PipelineConfig defaults() {
    return new PipelineConfig(false, GeoConfig.off());
  }
}
