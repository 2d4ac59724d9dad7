package io.trackside.collect;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON error answers: {@code {"code","message"}}, as Segment's clients parse them. */
public final class HttpErrors {
  private HttpErrors() {
  }

  public static void send(RoutingContext ctx, int status, String code, String message) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (Pixel.isPixel(ctx)) {
      Pixel.answer(ctx, status, code); // an image request: the outcome goes in the status and a header
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("code", code).put("message", message).encode());
  }

  /** 503 with Retry-After: nothing was stored, and the client should send the same events again. */
  public static void unavailable(RoutingContext ctx, String code, String message, int retryAfterSeconds) {
    if (!ctx.response().ended() && !ctx.response().closed()) {
      ctx.response().putHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }
    send(ctx, 503, code, message);
  }
}
