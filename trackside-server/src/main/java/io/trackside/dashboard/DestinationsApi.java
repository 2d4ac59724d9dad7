package io.trackside.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.collect.HttpErrors;
import io.trackside.destination.DeliveryService;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The destinations for operators: {@code GET /api/destinations} (each one's state, lag,
 * delivered, retrying, filtered and dead-lettered by reason), {@code GET /api/destinations/{id}},
 * {@code POST .../pause} and {@code .../resume}, {@code GET .../dead-letters?limit=N}, and
 * {@code POST .../replay} — the pending dead letters, or with {@code {"from","to"}} the events
 * received in that range — answering 202 with a job whose progress {@code GET .../replay/{job}} shows.
 */
public final class DestinationsApi implements ApiRoutes {

  private final DeliveryService delivery;
  private final String notDelivering;

  /** @param delivery null when no destination is configured */
  public DestinationsApi(DeliveryService delivery) {
    this(delivery, null);
  }

  /**
   * @param delivery      null when no destination is configured or this node does not deliver
   * @param notDelivering why destinations are configured but this node does not deliver (its
   *                      API then answers 503 rather than "no such destination"), or null
   */
  public DestinationsApi(DeliveryService delivery, String notDelivering) {
    this.delivery = delivery;
    this.notDelivering = delivery == null ? notDelivering : null;
  }

  @Override
  public void mount(Router router) {
    router.get("/api/destinations").blockingHandler(this::list, false);
    router.get("/api/destinations/:id").blockingHandler(this::show, false);
    router.post("/api/destinations/:id/pause").handler(ctx -> pauseOrResume(ctx, true));
    router.post("/api/destinations/:id/resume").handler(ctx -> pauseOrResume(ctx, false));
    router.get("/api/destinations/:id/dead-letters").blockingHandler(this::deadLetters, false);
    router.post("/api/destinations/:id/replay").handler(BodyHandler.create().setBodyLimit(16 * 1024));
    router.post("/api/destinations/:id/replay").handler(this::replay);
    router.get("/api/destinations/:id/replay/:jobId").handler(this::replayStatus);
  }

  private void list(RoutingContext ctx) {
    if (notDelivering != null) {
      HttpErrors.send(ctx, 503, "not_delivering", notDelivering);
      return;
    }
    try {
      JsonAnswers.send(ctx, 200, Map.of("destinations", delivery == null ? List.of() : delivery.describe()));
    } catch (SQLException e) {
      HttpErrors.send(ctx, 503, "warehouse_unavailable", "cannot read the dead letters: " + e.getMessage());
    }
  }

  private void show(RoutingContext ctx) {
    if (!known(ctx)) {
      return;
    }
    try {
      JsonAnswers.send(ctx, 200, delivery.describe(ctx.pathParam("id")).orElseThrow());
    } catch (SQLException e) {
      HttpErrors.send(ctx, 503, "warehouse_unavailable", "cannot read the dead letters: " + e.getMessage());
    }
  }

  private void pauseOrResume(RoutingContext ctx, boolean pause) {
    if (!known(ctx)) {
      return;
    }
    String id = ctx.pathParam("id");
    // Blocking: on several nodes the pause is a row in PostgreSQL that every node reads.
    ctx.vertx().executeBlocking(() -> {
          if (pause) {
            delivery.pause(id);
          } else {
            delivery.resume(id);
          }
          return delivery.describe(id).orElseThrow();
        }, false)
        .onSuccess(state -> JsonAnswers.send(ctx, 200, state))
        .onFailure(e -> HttpErrors.send(ctx, 503, "warehouse_unavailable", e.getMessage()));
  }

  private void deadLetters(RoutingContext ctx) {
    if (!known(ctx)) {
      return;
    }
    int limit;
    try {
      String text = ctx.request().getParam("limit");
      limit = text == null ? 100 : Integer.parseInt(text);
      if (limit < 1 || limit > 10_000) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      HttpErrors.send(ctx, 400, "invalid_limit", "limit must be a whole number from 1 to 10000");
      return;
    }
    try {
      JsonAnswers.send(ctx, 200, Map.of("deadLetters", delivery.deadLetters(ctx.pathParam("id"), limit)));
    } catch (SQLException e) {
      HttpErrors.send(ctx, 503, "warehouse_unavailable", "cannot read the dead letters: " + e.getMessage());
    }
  }

  private void replay(RoutingContext ctx) {
    if (!known(ctx)) {
      return;
    }
    Instant from = null;
    Instant to = null;
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body != null && body.length() > 0) {
      JsonNode json;
      try {
        json = JsonAnswers.JSON.readTree(body.getBytes());
      } catch (IOException e) {
        HttpErrors.send(ctx, 400, "invalid_json", "the body must be a JSON object: " + e.getMessage());
        return;
      }
      if (json == null || !json.isObject()) {
        HttpErrors.send(ctx, 400, "invalid_json", "the body must be {} (dead letters) or {\"from\":…,\"to\":…}");
        return;
      }
      try {
        from = QuarantineReplayApi.time("from", text(json, "from"));
        to = QuarantineReplayApi.time("to", text(json, "to"));
      } catch (IllegalArgumentException e) {
        HttpErrors.send(ctx, 400, "invalid_range", e.getMessage());
        return;
      }
      if ((from == null) != (to == null) || from != null && !from.isBefore(to)) {
        HttpErrors.send(ctx, 400, "invalid_range", "give both from and to, from before to (or neither, to replay"
            + " the dead letters)");
        return;
      }
    }
    Map<String, Object> job = delivery.replay(ctx.pathParam("id"), from, to);
    ctx.response().putHeader("Location", "/api/destinations/" + ctx.pathParam("id") + "/replay/" + job.get("id"));
    JsonAnswers.send(ctx, 202, job);
  }

  private void replayStatus(RoutingContext ctx) {
    if (!known(ctx)) {
      return;
    }
    delivery.replayStatus(ctx.pathParam("id"), ctx.pathParam("jobId")).ifPresentOrElse(
        status -> JsonAnswers.send(ctx, 200, status),
        () -> HttpErrors.send(ctx, 404, "no_such_job", "no replay job " + ctx.pathParam("jobId") + " for "
            + ctx.pathParam("id") + " (jobs are kept until a restart)"));
  }

  private boolean known(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (notDelivering != null) {
      HttpErrors.send(ctx, 503, "not_delivering", notDelivering);
      return false;
    }
    if (delivery == null || !delivery.exists(id)) {
      HttpErrors.send(ctx, 404, "no_such_destination", "no destination '" + id + "' is configured (see the"
          + " destinations list in the config file)");
      return false;
    }
    return true;
  }

  private static String text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText().trim();
  }
}
