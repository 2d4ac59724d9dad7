package io.trackside.dashboard;

import io.vertx.ext.web.Router;

/** More operator routes under {@code /api/}, mounted by {@link AdminApi} behind its authentication. */
@FunctionalInterface
public interface ApiRoutes {
  void mount(Router router);
}
