package io.trackside.destination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * One entry of the config's {@code destinations} list.
 *
 * @param id          names the destination in metrics, the API and its log consumer group
 * @param type        ga4, meta, webhook or segment
 * @param paused      when true, events wait in the log until it is resumed
 * @param consent     purposes an event needs to be sent here; null means the platform's default
 * @param filter      which events it takes
 * @param eventNames  event name → platform event name, over the platform's defaults
 * @param maxEvents   events per request, at most the platform's limit (0: the platform's limit)
 * @param linger      how long to wait for a fuller batch
 * @param concurrency requests in flight at once
 * @param timeout     for one request
 * @param options     the platform's own settings (measurement-id, pixel-id, url, ...)
 */
public record DestinationConfig(String id, String type, boolean paused, Set<String> consent, EventFilter filter,
                                Map<String, String> eventNames, int maxEvents, Duration linger, int concurrency,
                                Duration timeout, ObjectNode options) {

  /** Text of an option, or the fallback. */
  public String option(String name, String fallback) {
    var node = options.get(name);
    return node == null || node.isNull() || node.asText().isEmpty() ? fallback : node.asText();
  }

  /** Text of a required option. */
  public String requiredOption(String name) {
    String value = option(name, null);
    if (value == null) {
      throw new IllegalArgumentException("destination '" + id + "' (" + type + ") needs '" + name + "'");
    }
    return value;
  }
}
