package io.trackside.sdk;

import java.util.Map;

/** A Segment {@code group} call: the user belongs to a company, team or account. */
public final class GroupMessage {
  private GroupMessage() {
  }

  public static Builder builder(String groupId) {
    return new Builder(groupId);
  }

  public static final class Builder extends MessageBuilder<Builder> {
    private final String groupId;
    private Map<String, ?> traits;

    private Builder(String groupId) {
      super("group");
      this.groupId = groupId;
    }

    /** The group's traits (name, industry, employees, ...). */
    public Builder traits(Map<String, ?> traits) {
      this.traits = traits;
      return this;
    }

    @Override
    void fields(Map<String, Object> json) {
      json.put("groupId", groupId);
      putIfSet(json, "traits", traits);
    }

    @Override
    String problem() {
      return blank(groupId) ? "a group needs a groupId" : null;
    }
  }
}
