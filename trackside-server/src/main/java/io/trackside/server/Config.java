package io.trackside.server;

import io.trackside.core.IntakeLimits;
import io.trackside.destination.DestinationConfig;
import io.trackside.log.EmbeddedLogConfig;
import io.trackside.pipeline.PipelineConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Every setting of a Trackside node, after layering (config file, then TRACKSIDE_* environment
 * variables, then command-line flags). See {@link ConfigLoader} and the sample config it writes.
 */
record Config(Path configFile, String host, int port, Path dataDir, String adminToken,
              boolean trustForwardedFor, List<String> corsOrigins, List<Source> sources, int workers,
              IntakeLimits limits, EmbeddedLogConfig log, int dedupeWindow, PipelineConfig pipeline,
              List<DestinationConfig> destinations, String snippetPath) {

  /** A source of events, authenticated by its write key. */
  record Source(String name, String writeKey) {
  }

  Source sourceForWriteKey(String writeKey) {
    for (Source source : sources) {
      if (source.writeKey().equals(writeKey)) {
        return source;
      }
    }
    return null;
  }
}
