package io.trackside.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.collect.HttpErrors;
import io.trackside.pipeline.QuarantineReplay;
import io.trackside.pipeline.ReplayJob;
import io.trackside.warehouse.QuarantineFilter;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/quarantine/replay} starts a replay job (filters {@code reason},
 * {@code source}, {@code since}, {@code until}, {@code limit} as a JSON body or query
 * parameters) and answers 202 with its status; {@code GET /api/quarantine/replay/{jobId}} shows
 * its progress; {@code GET /api/quarantine/replay} lists the recent jobs.
 */
public final class QuarantineReplayApi implements ApiRoutes {

  private static final List<String> FILTERS = List.of("reason", "source", "since", "until", "limit");

  private final QuarantineReplay replay;

  public QuarantineReplayApi(QuarantineReplay replay) {
    this.replay = replay;
  }

  @Override
  public void mount(Router router) {
    router.post("/api/quarantine/replay").handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.post("/api/quarantine/replay").blockingHandler(this::start, false);
    router.get("/api/quarantine/replay").blockingHandler(this::list, false);
    router.get("/api/quarantine/replay/:jobId").blockingHandler(this::status, false);
  }

  private void start(RoutingContext ctx) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String name : FILTERS) {
      String value = ctx.request().getParam(name);
      if (value != null && !value.isBlank()) {
        params.put(name, value.trim());
      }
    }
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body != null && body.length() > 0) {
      JsonNode json;
      try {
        json = JsonAnswers.JSON.readTree(body.getBytes());
      } catch (IOException e) {
        HttpErrors.send(ctx, 400, "invalid_json", "the body must be a JSON object of filters: " + e.getMessage());
        return;
      }
      if (json == null || !json.isObject()) {
        HttpErrors.send(ctx, 400, "invalid_json", "the body must be a JSON object of filters such as"
            + " {\"reason\":\"schema_violation\"}");
        return;
      }
      for (String name : FILTERS) {
        JsonNode value = json.get(name);
        if (value != null && !value.isNull() && !value.asText().isBlank()) {
          params.put(name, value.asText().trim());
        }
      }
    }
    QuarantineFilter filter;
    Integer limit = null;
    try {
      filter = new QuarantineFilter(params.get("reason"), params.get("source"), time("since", params.get("since")),
          time("until", params.get("until")));
      if (params.containsKey("limit")) {
        limit = Integer.parseInt(params.get("limit"));
        if (limit < 1) {
          throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
      }
    } catch (NumberFormatException e) {
      HttpErrors.send(ctx, 400, "invalid_filter", "limit must be a whole number ≥ 1, got '" + params.get("limit") + "'");
      return;
    } catch (IllegalArgumentException e) {
      HttpErrors.send(ctx, 400, "invalid_filter", e.getMessage());
      return;
    }
    try {
      ReplayJob job = replay.start(filter, limit);
      ctx.response().putHeader("Location", "/api/quarantine/replay/" + job.id());
      JsonAnswers.send(ctx, 202, job.status());
    } catch (QuarantineReplay.AlreadyRunning e) {
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("code", "replay_running");
      answer.put("message", e.getMessage() + "; wait for it (GET /api/quarantine/replay/" + e.running().id() + ")");
      answer.put("jobId", e.running().id());
      JsonAnswers.send(ctx, 409, answer);
    } catch (IllegalStateException e) {
      HttpErrors.send(ctx, 503, "shutting_down", e.getMessage());
    }
  }

  private void status(RoutingContext ctx) {
    ReplayJob job = replay.job(ctx.pathParam("jobId"));
    if (job == null) {
      HttpErrors.send(ctx, 404, "no_such_job", "no replay job " + ctx.pathParam("jobId")
          + " (the last 20 jobs are kept until a restart)");
      return;
    }
    JsonAnswers.send(ctx, 200, job.status());
  }

  private void list(RoutingContext ctx) {
    JsonAnswers.send(ctx, 200, Map.of("jobs", replay.jobs().stream().map(ReplayJob::status).toList()));
  }

  /** An ISO-8601 instant ("2026-11-28T10:00:00Z"), date-time with offset, or a date (midnight UTC). */
  static Instant time(String name, String text) {
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException notADateTime) {
      try {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException notADate) {
        throw new IllegalArgumentException(name + " must be an ISO-8601 time such as 2026-11-28T10:00:00Z or a date"
            + " such as 2026-11-28, got '" + text + "'");
      }
    }
  }
}
