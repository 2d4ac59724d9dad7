package io.trackside.sdk;

import java.util.Map;

/**
 * A Segment {@code page} call: a page view on a website. Put the page's url, path, referrer,
 * title and search into {@code properties} and {@code context.page} (the servlet filter does).
 */
public final class PageMessage {
  private PageMessage() {
  }

  /** A page view without a page name (the title and URL say which page it was). */
  public static Builder builder() {
    return new Builder(null);
  }

  /** @param name the page's name, e.g. "Pricing" */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  public static final class Builder extends MessageBuilder<Builder> {
    private final String name;
    private String category;
    private Map<String, ?> properties;

    private Builder(String name) {
      super("page");
      this.name = name;
    }

    public Builder category(String category) {
      this.category = category;
      return this;
    }

    public Builder properties(Map<String, ?> properties) {
      this.properties = properties;
      return this;
    }

    @Override
    void fields(Map<String, Object> json) {
      putIfSet(json, "name", name);
      putIfSet(json, "category", category);
      putIfSet(json, "properties", properties);
    }

    @Override
    String problem() {
      return null;
    }
  }
}
