package io.trackside.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.collect.HttpErrors;
import io.trackside.warehouse.Attribution;
import io.trackside.warehouse.AttributionRequest;
import io.trackside.warehouse.AttributionResult;
import io.trackside.warehouse.StatsReaders;
import io.trackside.warehouse.FunnelRequest;
import io.trackside.warehouse.FunnelResult;
import io.trackside.warehouse.FunnelStep;
import io.trackside.warehouse.Funnels;
import io.trackside.warehouse.JourneyRequest;
import io.trackside.warehouse.JourneyResult;
import io.trackside.warehouse.Journeys;
import io.trackside.warehouse.SavedFunnels;
import io.trackside.warehouse.StatsScope;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Funnels, journeys and attribution (docs/DASHBOARD.md):
 * <ul>
 *   <li>{@code POST /api/stats/funnel}: the funnel in the body, the scope in the query string;</li>
 *   <li>{@code GET/POST /api/funnels}, {@code DELETE /api/funnels/{id}}: saved funnels;</li>
 *   <li>{@code GET /api/stats/journeys?start=page:/x|event:Name&direction=next|previous&depth=3} ({@code start},
 *       not {@code from}: {@code from} and {@code to} are the range every stats endpoint takes);</li>
 *   <li>{@code GET /api/stats/attribution?model=...&by=channel|campaign&lookbackDays=30}.</li>
 * </ul>
 * Queries run on worker threads with the dashboard's read connections ({@link StatsReaders}).
 */
public final class InsightsApi implements ApiRoutes {
  /** A funnel of 10 steps with 10 long conditions each fits easily. */
  static final int MAX_BODY_BYTES = 64 * 1024;
  static final int MAX_NAME_LENGTH = 200;
  static final int DEFAULT_DEPTH = 3;
  static final int DEFAULT_LOOKBACK_DAYS = 30;

  private final StatsParams params;
  private final StatsReaders connections;
  private final Clock clock;

  public InsightsApi(StatsReaders readers, ZoneId zone, Clock clock) {
    this.params = new StatsParams(zone, clock);
    this.connections = readers;
    this.clock = clock;
    try {
      connections.read(conn -> {
        SavedFunnels.create(conn);
        return null;
      });
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the saved_funnels table: " + e.getMessage(), e);
    }
  }

  @Override
  public void mount(Router router) {
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    router.post("/api/stats/funnel").handler(bodies).blockingHandler(this::funnel, false)
        .failureHandler(InsightsApi::tooLarge);
    router.get("/api/funnels").blockingHandler(this::listFunnels, false);
    router.post("/api/funnels").handler(bodies).blockingHandler(this::saveFunnel, false)
        .failureHandler(InsightsApi::tooLarge);
    router.delete("/api/funnels/:id").blockingHandler(this::deleteFunnel, false);
    router.get("/api/stats/journeys").blockingHandler(this::journeys, false);
    router.get("/api/stats/attribution").blockingHandler(this::attribution, false);
  }

  /** The body handler refuses a body over the limit with a bare 413: answer it as every error is. */
  private static void tooLarge(RoutingContext ctx) {
    if (ctx.statusCode() == 413) {
      HttpErrors.send(ctx, 413, "body_too_large", "a funnel body is at most " + MAX_BODY_BYTES + " bytes");
    } else {
      ctx.next();
    }
  }

  private interface Answer {
    Object get() throws SQLException;
  }

  /** Runs an answer: a bad parameter is a 400, a warehouse failure a 503. */
  private static void answer(RoutingContext ctx, int status, Answer answer) {
    Object body;
    try {
      body = answer.get();
    } catch (IllegalArgumentException e) {
      HttpErrors.send(ctx, 400, "invalid_request", e.getMessage());
      return;
    } catch (SQLException e) {
      HttpErrors.send(ctx, 503, "warehouse_unavailable", "the warehouse could not answer: " + e.getMessage());
      return;
    }
    JsonAnswers.send(ctx, status, body);
  }

  private void funnel(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      StatsScope scope = params.scope(ctx.queryParams());
      FunnelRequest request = FunnelJson.read(body(ctx));
      FunnelResult result = connections.read(conn -> Funnels.run(conn, scope, request));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("range", range(scope));
      out.put("window", request.window());
      out.put("steps", result.steps());
      out.put("breakdownBy", request.breakdown() == null ? "none" : request.breakdown());
      out.put("breakdown", result.breakdown());
      return out;
    });
  }

  private void listFunnels(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      List<Object> funnels = new ArrayList<>();
      for (SavedFunnels.SavedFunnel saved : connections.read(SavedFunnels::list)) {
        Map<String, Object> funnel = new LinkedHashMap<>();
        funnel.put("id", saved.id());
        funnel.put("name", saved.name());
        try {
          funnel.putAll(FunnelJson.write(FunnelJson.read(JsonAnswers.JSON.readTree(saved.definition()))));
        } catch (JsonProcessingException e) {
          throw new SQLException("saved funnel " + saved.id() + " is not JSON: " + e.getMessage(), e);
        }
        funnel.put("createdAt", saved.createdAt().toString());
        funnels.add(funnel);
      }
      return Map.of("funnels", funnels);
    });
  }

  private void saveFunnel(RoutingContext ctx) {
    answer(ctx, 201, () -> {
      JsonNode body = body(ctx);
      FunnelRequest funnel = FunnelJson.read(body);
      String name = FunnelJson.text(body, "name");
      if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
        throw new IllegalArgumentException("a saved funnel needs a name of 1 to " + MAX_NAME_LENGTH + " characters");
      }
      String definition;
      try {
        definition = JsonAnswers.JSON.writeValueAsString(FunnelJson.write(funnel));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      String id = connections.read(conn -> SavedFunnels.save(conn, name.strip(), definition, clock.instant()));
      if (id == null) {
        throw new IllegalArgumentException("at most " + SavedFunnels.MAX_SAVED + " funnels can be saved; delete some");
      }
      return Map.of("id", id);
    });
  }

  private void deleteFunnel(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    try {
      if (connections.read(conn -> SavedFunnels.delete(conn, id))) {
        ctx.response().setStatusCode(204).end();
      } else {
        HttpErrors.send(ctx, 404, "not_found", "no saved funnel has the id '" + id + "'");
      }
    } catch (SQLException e) {
      HttpErrors.send(ctx, 503, "warehouse_unavailable", "the warehouse could not answer: " + e.getMessage());
    }
  }

  private void journeys(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      StatsScope scope = params.scope(ctx.queryParams());
      JourneyRequest request = journeyRequest(ctx);
      JourneyResult result = connections.read(conn -> Journeys.run(conn, scope, request));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("range", range(scope));
      out.put("start", request.startText());
      out.put("direction", request.next() ? "next" : "previous");
      out.put("depth", request.depth());
      out.put("nodes", result.nodes());
      out.put("links", result.links());
      out.put("top", result.top());
      return out;
    });
  }

  private static JourneyRequest journeyRequest(RoutingContext ctx) {
    String from = ctx.request().getParam("start");
    if (from == null || from.isBlank()) {
      throw new IllegalArgumentException("start is needed: page:/path or event:Name");
    }
    FunnelStep.Kind kind;
    String start;
    if (from.startsWith("page:")) {
      kind = FunnelStep.Kind.PAGE;
      start = from.substring(5);
    } else if (from.startsWith("event:")) {
      kind = FunnelStep.Kind.EVENT;
      start = from.substring(6);
    } else {
      throw new IllegalArgumentException("start must be page:/path or event:Name, got '" + from + "'");
    }
    String direction = ctx.request().getParam("direction", "next");
    if (!direction.equals("next") && !direction.equals("previous")) {
      throw new IllegalArgumentException("direction must be next or previous, got '" + direction + "'");
    }
    int depth = wholeNumber(ctx, "depth", DEFAULT_DEPTH);
    return new JourneyRequest(kind, start, direction.equals("next"), depth);
  }

  private void attribution(RoutingContext ctx) {
    answer(ctx, 200, () -> {
      StatsScope scope = params.scope(ctx.queryParams());
      AttributionRequest request = new AttributionRequest(
          AttributionRequest.Model.parse(ctx.request().getParam("model", "last_touch")),
          AttributionRequest.By.parse(ctx.request().getParam("by", "channel")),
          wholeNumber(ctx, "lookbackDays", DEFAULT_LOOKBACK_DAYS));
      AttributionResult result = connections.read(conn -> Attribution.run(conn, scope, request));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("range", range(scope));
      out.put("model", request.model().wire());
      out.put("by", request.by().wire());
      out.put("lookbackDays", request.lookbackDays());
      out.put("rows", result.rows());
      out.put("total", Map.of("conversions", result.totalConversions(), "revenue", result.totalRevenue()));
      return out;
    });
  }

  private static int wholeNumber(RoutingContext ctx, String name, int fallback) {
    String text = ctx.request().getParam(name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + text + "'");
    }
  }

  private static JsonNode body(RoutingContext ctx) {
    byte[] bytes = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    if (bytes.length == 0) {
      throw new IllegalArgumentException("the body must be a JSON funnel: {\"steps\": [...], \"window\": \"session\"}");
    }
    try {
      return JsonAnswers.JSON.readTree(bytes);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("the body is not valid JSON");
    }
  }

  private static Map<String, Object> range(StatsScope scope) {
    Map<String, Object> range = new LinkedHashMap<>();
    range.put("from", scope.from().toString());
    range.put("to", scope.to().toString());
    range.put("timeZone", scope.zone().getId());
    return range;
  }
}
