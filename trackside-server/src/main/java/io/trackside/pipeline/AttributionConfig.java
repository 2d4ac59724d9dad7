package io.trackside.pipeline;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Settings of the URL hygiene and referrer steps (the {@code enrichment.url} and
 * {@code enrichment.referrers} settings).
 *
 * @param scrubParams query parameter names whose values are always replaced by
 *                    {@code [redacted]} in page URLs and referrers (matched case-insensitively)
 * @param referrers   the referrer table in force: the built-in one plus the operator's file
 */
public record AttributionConfig(Set<String> scrubParams, ReferrerTable referrers) {

  public AttributionConfig {
    scrubParams = scrubParams.stream().map(p -> p.strip().toLowerCase(Locale.ROOT)).filter(p -> !p.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }

  public static AttributionConfig defaults() {
    return new AttributionConfig(UrlHygiene.DEFAULT_SCRUB_PARAMS, ReferrerTable.builtIn());
  }

  /** The default scrub list, sorted, for the sample config and the docs. */
  public static String defaultScrubParams() {
    return UrlHygiene.DEFAULT_SCRUB_PARAMS.stream().sorted().collect(Collectors.joining(", "));
  }
}
