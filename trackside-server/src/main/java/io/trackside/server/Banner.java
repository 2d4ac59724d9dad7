package io.trackside.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The start-up message: where Trackside listens, its keys, and a request to paste. */
final class Banner {
  private static final Logger LOG = LoggerFactory.getLogger(Banner.class);

  private Banner() {
  }

  static void print(Config config, int port) {
    String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "localhost" : config.host();
    String base = "http://" + host + ":" + port;
    Config.Source first = config.sources().stream().filter(s -> s.writeKey() != null).findFirst().orElse(null);
    StringBuilder text = new StringBuilder();
    text.append("\n\nTrackside is running on ").append(base).append("  (config: ")
        .append(config.configFile().toAbsolutePath()).append(", data: ").append(config.dataDir().toAbsolutePath()).append(")\n");
    for (Config.Source source : config.sources()) {
      text.append("  source ").append(source.name());
      if (source.writeKey() != null) {
        text.append(" — write key: ").append(source.writeKey());
      }
      if (!source.measurementIds().isEmpty()) {
        text.append(" — gtag.js measurement ids: ").append(String.join(", ", source.measurementIds()))
            .append(" (send to ").append(base).append("/g/collect)");
      }
      text.append('\n');
    }
    text.append("  admin token (Authorization: Bearer …): ").append(config.adminToken()).append("\n");
    text.append("  dashboard: ").append(base).append("/");
    if (config.dashboard().generatedPassword() != null) {
      text.append("  password: ").append(config.dashboard().generatedPassword())
          .append("  (shown once: only its hash is kept; ./trackside hash-password sets your own)");
    }
    text.append("\n\n");
    if (first != null) {
      text.append("Send an event:\n")
          .append("  curl -u '").append(first.writeKey()).append(":' -H 'Content-Type: application/json' \\\n")
          .append("    -d '{\"type\":\"track\",\"event\":\"Hello Trackside\",\"anonymousId\":\"visitor-1\"}' \\\n")
          .append("    ").append(base).append("/v1/track\n");
    }
    text.append("See it stored:\n")
        .append("  curl -H 'Authorization: Bearer ").append(config.adminToken()).append("' '")
        .append(base).append("/api/events?limit=10'\n")
        .append("On a web page (page views, clicks, scrolls, forms; cookieless):\n")
        .append("  <script defer src=\"").append(base).append(new io.trackside.collect.Snippet(config.snippetPath()).url())
        .append("\" data-key=\"").append(first.writeKey()).append("\"></script>\n")
        .append("Health: ").append(base).append("/healthz  ").append(base).append("/readyz  metrics: ")
        .append(base).append("/metrics\n");
    LOG.info("{}", text);
  }
}
