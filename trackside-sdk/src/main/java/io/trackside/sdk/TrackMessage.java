package io.trackside.sdk;

import java.util.LinkedHashMap;
import java.util.Map;

/** A Segment {@code track} call: something the user did, e.g. "Order Completed". */
public final class TrackMessage {
  private TrackMessage() {
  }

  public static Builder builder(String event) {
    return new Builder(event);
  }

  public static final class Builder extends MessageBuilder<Builder> {
    private final String event;
    private Map<String, ?> properties;

    private Builder(String event) {
      super("track");
      this.event = event;
    }

    public Builder properties(Map<String, ?> properties) {
      this.properties = properties;
      return this;
    }

    @Override
    void fields(Map<String, Object> json) {
      json.put("event", event);
      json.put("properties", properties == null ? new LinkedHashMap<>() : properties);
    }

    @Override
    String problem() {
      return blank(event) ? "a track needs an event name" : null;
    }
  }
}
