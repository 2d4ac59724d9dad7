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

  /**
   * The default scrub list, sorted, for the sample config: comma-separated, lines broken before
   * about 90 columns and continued with {@code indent} (YAML flow lists may span lines).
   */
  public static String defaultScrubParams(String indent) {
    StringBuilder out = new StringBuilder();
    int lineStart = 0;
    for (String name : UrlHygiene.DEFAULT_SCRUB_PARAMS.stream().sorted().toList()) {
      if (out.length() > 0) {
        out.append(',');
        if (out.length() - lineStart + name.length() > 60) {
          out.append('\n').append(indent);
          lineStart = out.length();
        } else {
          out.append(' ');
        }
      }
      out.append(name);
    }
    return out.toString();
  }
}
