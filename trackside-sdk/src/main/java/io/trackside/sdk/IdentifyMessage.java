package io.trackside.sdk;

import java.util.Map;

/** A Segment {@code identify} call: who the user is, and their traits. */
public final class IdentifyMessage {
  private IdentifyMessage() {
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder extends MessageBuilder<Builder> {
    private Map<String, ?> traits;

    private Builder() {
      super("identify");
    }

    public Builder traits(Map<String, ?> traits) {
      this.traits = traits;
      return this;
    }

    @Override
    void fields(Map<String, Object> json) {
      putIfSet(json, "traits", traits);
    }

    @Override
    String problem() {
      return null;
    }
  }
}
