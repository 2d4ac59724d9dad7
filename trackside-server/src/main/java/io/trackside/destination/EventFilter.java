package io.trackside.destination;

import java.util.Map;
import java.util.Set;

/**
 * Which events a destination takes, from its config: by type, by name, by property value. Empty
 * sets mean "any".
 *
 * @param types         only these types (track, page, identify, ...)
 * @param events        only track events with these names
 * @param excludeEvents never track events with these names
 * @param properties    only events whose property has this value (compared as text)
 */
public record EventFilter(Set<String> types, Set<String> events, Set<String> excludeEvents,
                          Map<String, String> properties) {

  public static final EventFilter ALL = new EventFilter(Set.of(), Set.of(), Set.of(), Map.of());

  /** Null when the event passes, else why not (the "filtered" reason in the accounting). */
  public String reject(DeliveryEvent e) {
    if (!types.isEmpty() && !types.contains(e.type())) {
      return "type_filter";
    }
    if (e.event() != null && excludeEvents.contains(e.event())) {
      return "event_filter";
    }
    if (!events.isEmpty() && (e.event() == null || !events.contains(e.event()))) {
      return "event_filter";
    }
    for (Map.Entry<String, String> wanted : properties.entrySet()) {
      if (!wanted.getValue().equals(e.property(wanted.getKey()))) {
        return "property_filter";
      }
    }
    return null;
  }
}
