package io.trackside.dashboard;

import io.trackside.collect.HttpErrors;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** {@code GET /api/openapi.yaml}: the API's description, open to anyone (it holds no data). */
final class OpenApiFile {
  static final String RESOURCE = "/dashboard/openapi.yaml";
  private static final byte[] CONTENT = load();

  private OpenApiFile() {
  }

  static void serve(RoutingContext ctx) {
    if (CONTENT == null) {
      HttpErrors.send(ctx, 404, "not_found", "this build has no " + RESOURCE);
      return;
    }
    ctx.response().putHeader("Content-Type", "application/yaml; charset=utf-8")
        .end(io.vertx.core.buffer.Buffer.buffer(CONTENT));
  }

  private static byte[] load() {
    try (InputStream in = OpenApiFile.class.getResourceAsStream(RESOURCE)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
