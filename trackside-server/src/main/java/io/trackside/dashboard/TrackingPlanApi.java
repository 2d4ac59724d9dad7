package io.trackside.dashboard;

import io.trackside.collect.HttpErrors;
import io.trackside.pipeline.ActiveTrackingPlan;
import io.trackside.pipeline.InvalidTrackingPlanException;
import io.trackside.pipeline.TrackingPlan;
import io.trackside.pipeline.TrackingPlanConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/tracking-plan}: the plan in force and the rules per source.
 * {@code POST /api/tracking-plan/reload}: re-reads the plan file; an invalid file is answered
 * 400 with the problem and the old plan stays in force.
 */
public final class TrackingPlanApi implements ApiRoutes {

  private final ActiveTrackingPlan active;

  public TrackingPlanApi(ActiveTrackingPlan active) {
    this.active = active;
  }

  @Override
  public void mount(Router router) {
    router.get("/api/tracking-plan").blockingHandler(this::show, false);
    router.post("/api/tracking-plan/reload").blockingHandler(this::reload, true);
  }

  private void show(RoutingContext ctx) {
    JsonAnswers.send(ctx, 200, describe(active.current()));
  }

  private void reload(RoutingContext ctx) {
    try {
      TrackingPlan plan = active.reload();
      Map<String, Object> body = describe(plan);
      body.put("reloaded", true);
      JsonAnswers.send(ctx, 200, body);
    } catch (InvalidTrackingPlanException e) {
      HttpErrors.send(ctx, 400, "invalid_tracking_plan", e.getMessage() + " — the previous plan stays in force");
    } catch (IllegalStateException e) {
      HttpErrors.send(ctx, 409, "no_tracking_plan", e.getMessage());
    }
  }

  private Map<String, Object> describe(TrackingPlan plan) {
    TrackingPlanConfig config = active.config();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("active", plan != null);
    body.put("file", config.file() == null ? null : config.file().toAbsolutePath().toString());
    body.put("loadedAt", plan == null ? null : plan.loadedAt().toString());
    body.put("mode", config.defaults().mode().toString());
    body.put("unplanned", config.defaults().unplanned().toString());
    Map<String, Object> sources = new LinkedHashMap<>();
    config.sources().forEach((source, rules) -> sources.put(source,
        Map.of("mode", rules.mode().toString(), "unplanned", rules.unplanned().toString())));
    body.put("sources", sources);
    body.put("events", plan == null ? null : plan.eventNames());
    body.put("plan", plan == null ? null : plan.document());
    return body;
  }
}
