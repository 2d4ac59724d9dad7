package io.trackside.sdk;

import java.util.Map;

/** A Segment {@code alias} call: {@code previousId} and {@code userId} are the same person. */
public final class AliasMessage {
  private AliasMessage() {
  }

  /** Set the new id with {@code .userId(...)}. */
  public static Builder builder(String previousId) {
    return new Builder(previousId);
  }

  public static final class Builder extends MessageBuilder<Builder> {
    private final String previousId;

    private Builder(String previousId) {
      super("alias");
      this.previousId = previousId;
    }

    @Override
    void fields(Map<String, Object> json) {
      json.put("previousId", previousId);
    }

    @Override
    String problem() {
      if (blank(previousId)) {
        return "an alias needs a previousId";
      }
      return blank(currentUserId()) ? "an alias needs the new userId" : null;
    }
  }
}
