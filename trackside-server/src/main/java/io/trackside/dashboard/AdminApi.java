package io.trackside.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackside.collect.HttpErrors;
import io.trackside.warehouse.Warehouse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operators' JSON API under {@code /api/}: every route needs {@code Authorization: Bearer
 * <admin token>} or the dashboard's session cookie ({@link SignIn}); with the cookie, a change
 * (POST, PUT, DELETE) also needs the page's CSRF token in {@code X-CSRF-Token}, since a browser
 * sends cookies on its own but never that header. Queries run on worker threads, never on the
 * event loop.
 */
public final class AdminApi {
  static final int MAX_LIMIT = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final byte[] adminToken;
  private final Warehouse warehouse;
  private final SignIn signIn;
  private final List<ApiRoutes> more = new ArrayList<>();

  /** Bearer token only, no dashboard sessions. */
  public AdminApi(String adminToken, Warehouse warehouse) {
    this(adminToken, null, warehouse);
  }

  public AdminApi(String adminToken, SignIn signIn, Warehouse warehouse) {
    this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
    this.signIn = signIn;
    this.warehouse = warehouse;
  }

  /** Adds routes of another part (tracking plan, replay, ...), served behind the same token. */
  public AdminApi with(ApiRoutes routes) {
    more.add(routes);
    return this;
  }

  public void mount(Router router) {
    router.get("/api/openapi.yaml").handler(OpenApiFile::serve); // before the token check: it is public
    router.route("/api/*").handler(this::authenticate);
    router.get("/api/session").handler(this::session);
    router.get("/api/events").blockingHandler(this::events, false);
    router.get("/api/quarantine").blockingHandler(this::quarantine, false);
    more.forEach(routes -> routes.mount(router));
  }

  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null) {
      // A bearer request comes from a script, not a browser's ambient cookie: no CSRF token needed.
      boolean ok = header.regionMatches(true, 0, "Bearer ", 0, 7)
          && MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8), adminToken);
      if (ok) {
        ctx.next();
      } else {
        unauthorized(ctx);
      }
      return;
    }
    DashboardSessions.Session session = signIn == null ? null : signIn.session(ctx);
    if (session == null) {
      unauthorized(ctx);
      return;
    }
    if (SignIn.changesState(ctx.request().method()) && !SignIn.csrfOk(ctx, session)) {
      HttpErrors.send(ctx, 403, "csrf_token_missing", "a change made with the dashboard's cookie needs the "
          + SignIn.CSRF_HEADER + " header (the csrfToken of GET /api/session)");
      return;
    }
    ctx.next();
  }

  private static void unauthorized(RoutingContext ctx) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"trackside\"");
    HttpErrors.send(ctx, 401, "unauthorized", "the /api/ endpoints need 'Authorization: Bearer <admin token>' "
        + "(admin-token in the config, printed at start-up) or a dashboard session (sign in at /login)");
  }

  /** What the pages need: the CSRF token to send with changes (null for bearer requests, which need none). */
  private void session(RoutingContext ctx) {
    DashboardSessions.Session session = ctx.request().getHeader(HttpHeaders.AUTHORIZATION) != null || signIn == null
        ? null : signIn.session(ctx);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("signedIn", session != null ? "cookie" : "token");
    body.put("csrfToken", session == null ? null : session.csrfToken());
    JsonAnswers.send(ctx, 200, body);
  }

  private void events(RoutingContext ctx) {
    try {
      eventsQuery(ctx);
    } catch (SQLException e) {
      HttpErrors.send(ctx, 503, "warehouse_unavailable", "the warehouse could not answer: " + e.getMessage());
    }
  }

  private void quarantine(RoutingContext ctx) {
    try {
      quarantineQuery(ctx);
    } catch (SQLException e) {
      HttpErrors.send(ctx, 503, "warehouse_unavailable", "the warehouse could not answer: " + e.getMessage());
    }
  }

  private void eventsQuery(RoutingContext ctx) throws SQLException {
    Integer limit = limit(ctx, 100);
    if (limit == null) {
      return;
    }
    String type = ctx.request().getParam("type");
    String event = ctx.request().getParam("event");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("events", warehouse.recentEvents(limit, blankToNull(type), blankToNull(event)));
    respond(ctx, body);
  }

  private void quarantineQuery(RoutingContext ctx) throws SQLException {
    Integer limit = limit(ctx, 100);
    if (limit == null) {
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("quarantine", warehouse.recentQuarantine(limit));
    respond(ctx, body);
  }

  private static Integer limit(RoutingContext ctx, int fallback) {
    String text = ctx.request().getParam("limit");
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      int limit = Integer.parseInt(text.trim());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    HttpErrors.send(ctx, 400, "invalid_limit", "limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + text + "'");
    return null;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static void respond(RoutingContext ctx, Object body) {
    try {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      ctx.fail(e);
    }
  }
}
