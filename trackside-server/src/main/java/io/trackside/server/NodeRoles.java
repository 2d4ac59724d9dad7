package io.trackside.server;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a node does ({@code roles}): {@code collect} (the collector endpoints, appending to the
 * event log), {@code process} (the pipeline and the warehouse writer), {@code deliver} (the
 * destinations) and {@code dashboard} (the dashboard and the operator API). One node does all of
 * them by default; on Kafka and PostgreSQL an operator can run many small collectors and a few
 * workers. Health, readiness and metrics are served by every node.
 */
record NodeRoles(Set<Role> roles) {

  enum Role {
    COLLECT, PROCESS, DELIVER, DASHBOARD;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final NodeRoles ALL = new NodeRoles(EnumSet.allOf(Role.class));

  NodeRoles {
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("roles must name at least one of collect, process, deliver, dashboard");
    }
    roles = Set.copyOf(roles);
  }

  /** "all", or a comma-separated list such as "collect,process". */
  static NodeRoles parse(String text) {
    String trimmed = text.trim().toLowerCase(Locale.ROOT);
    if (trimmed.equals("all")) {
      return ALL;
    }
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (String part : trimmed.split("[,\\s]+")) {
      if (part.isEmpty()) {
        continue;
      }
      try {
        roles.add(Role.valueOf(part.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("roles: unknown role '" + part + "'; use all, or any of collect, process,"
            + " deliver, dashboard separated by commas");
      }
    }
    return new NodeRoles(roles);
  }

  boolean has(Role role) {
    return roles.contains(role);
  }

  boolean all() {
    return roles.size() == Role.values().length;
  }

  @Override
  public String toString() {
    return all() ? "all" : roles.stream().sorted().map(Role::label).collect(Collectors.joining(","));
  }
}
