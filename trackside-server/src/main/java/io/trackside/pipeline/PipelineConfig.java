package io.trackside.pipeline;

/**
 * The pipeline's settings (the {@code privacy:}, {@code enrichment:}, {@code sessions:} and
 * {@code tracking-plan:} sections of the config file).
 *
 * @param storeRawIp  keep full client addresses instead of truncating them (off by default;
 *                    turning it on is a privacy decision the operator must be able to justify)
 * @param attribution URL scrubbing and the referrer table
 * @param pii         what happens to e-mail addresses and phone numbers in traits and properties
 */
public record PipelineConfig(boolean storeRawIp, AttributionConfig attribution, PiiPolicy pii) {

  public PipelineConfig(boolean storeRawIp) {
    this(storeRawIp, AttributionConfig.defaults(), PiiPolicy.defaults());
  }

  public static PipelineConfig defaults() {
    return new PipelineConfig(false);
  }
}
