package io.trackside.sdk;

import java.util.Map;

/** A Segment {@code screen} call: a screen view in an app. */
public final class ScreenMessage {
  private ScreenMessage() {
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public static final class Builder extends MessageBuilder<Builder> {
    private final String name;
    private Map<String, ?> properties;

    private Builder(String name) {
      super("screen");
      this.name = name;
    }

    public Builder properties(Map<String, ?> properties) {
      this.properties = properties;
      return this;
    }

    @Override
    void fields(Map<String, Object> json) {
      putIfSet(json, "name", name);
      putIfSet(json, "properties", properties);
    }

    @Override
    String problem() {
      return null;
    }
  }
}
