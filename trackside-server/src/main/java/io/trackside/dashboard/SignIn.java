package io.trackside.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.collect.ClientAddress;
import io.trackside.collect.HttpErrors;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Map;

/**
 * Signing in to the dashboard: {@code POST /login} with the admin password gives a session cookie
 * ({@code HttpOnly}, {@code SameSite=Strict}, {@code Secure} over TLS) and the CSRF token the
 * pages send with every change; {@code POST /logout} ends it. Wrong passwords are answered late
 * and, past a few per address, refused for a while ({@link LoginThrottle}).
 */
public final class SignIn {
  static final String COOKIE = "trackside_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final String SESSION_KEY = "trackside.session";

  private final DashboardConfig config;
  private final DashboardSessions sessions;
  private final ClientAddress clientAddress;
  private final boolean trustForwardedProto;
  private final LoginThrottle throttle = new LoginThrottle(10, Duration.ofMinutes(15));

  public SignIn(DashboardConfig config, ClientAddress clientAddress, boolean trustForwardedProto) {
    this.config = config;
    this.sessions = new DashboardSessions(config.sessionIdle());
    this.clientAddress = clientAddress;
    this.trustForwardedProto = trustForwardedProto;
  }

  public void mount(Router router) {
    router.post("/login").handler(BodyHandler.create(false).setBodyLimit(4 * 1024)).handler(this::login);
    router.post("/logout").handler(this::logout);
  }

  /** The signed-in session of this request (its idle clock restarted), or null. */
  DashboardSessions.Session session(RoutingContext ctx) {
    DashboardSessions.Session cached = ctx.get(SESSION_KEY);
    if (cached != null) {
      return cached;
    }
    Cookie cookie = ctx.request().getCookie(COOKIE);
    DashboardSessions.Session session = sessions.touch(cookie == null ? null : cookie.getValue());
    if (session != null) {
      ctx.put(SESSION_KEY, session);
    }
    return session;
  }

  /** A change (POST, PUT, PATCH, DELETE) made with the cookie must carry the page's CSRF token. */
  static boolean changesState(HttpMethod method) {
    return method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS;
  }

  static boolean csrfOk(RoutingContext ctx, DashboardSessions.Session session) {
    return DashboardSessions.sameToken(session.csrfToken(), ctx.request().getHeader(CSRF_HEADER));
  }

  private void login(RoutingContext ctx) {
    String password = password(ctx);
    if (password == null) {
      HttpErrors.send(ctx, 400, "invalid_login", "send {\"password\": \"…\"} as JSON or password=… as a form");
      return;
    }
    String address = clientAddress.of(ctx.request());
    long wait = throttle.admit(address);
    if (wait > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(wait));
      HttpErrors.send(ctx, 429, "too_many_attempts", "too many wrong passwords from this address; try again in "
          + wait + " s");
      return;
    }
    // PBKDF2 takes a good fraction of a second by design: on a worker thread, never the event loop.
    ctx.vertx().executeBlocking(() -> PasswordHash.matches(config.passwordHash(), password), false)
        .onComplete(checked -> {
          if (checked.succeeded() && checked.result()) {
            throttle.succeeded(address);
            DashboardSessions.Session session = sessions.create();
            ctx.response().addCookie(Cookie.cookie(COOKIE, session.id()).setPath("/").setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT).setSecure(overTls(ctx)));
            JsonAnswers.send(ctx, 200, Map.of("csrfToken", session.csrfToken()));
          } else if (checked.succeeded()) {
            ctx.vertx().setTimer(LoginThrottle.FAILURE_DELAY.toMillis(), t ->
                HttpErrors.send(ctx, 401, "wrong_password", "wrong password"));
          } else {
            ctx.fail(checked.cause());
          }
        });
  }

  private void logout(RoutingContext ctx) {
    DashboardSessions.Session session = session(ctx);
    if (session != null) {
      if (!csrfOk(ctx, session)) {
        HttpErrors.send(ctx, 403, "csrf_token_missing", "signing out needs the page's " + CSRF_HEADER + " header");
        return;
      }
      sessions.remove(session.id());
    }
    ctx.response().addCookie(Cookie.cookie(COOKIE, "").setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT).setSecure(overTls(ctx)).setMaxAge(0));
    ctx.response().setStatusCode(204).end();
  }

  private boolean overTls(RoutingContext ctx) {
    if (config.secureCookie() || ctx.request().isSSL()) {
      return true;
    }
    return trustForwardedProto && "https".equalsIgnoreCase(ctx.request().getHeader("X-Forwarded-Proto"));
  }

  private static String password(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (ctx.body().buffer() == null) {
      return null;
    }
    if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
      return ctx.request().getFormAttribute("password");
    }
    try {
      JsonNode body = JsonAnswers.JSON.readTree(ctx.body().buffer().getBytes());
      JsonNode password = body == null ? null : body.get("password");
      return password != null && password.isTextual() ? password.asText() : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
