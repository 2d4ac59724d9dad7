package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.dashboard.PasswordHash;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing in to the dashboard over real HTTP against a real node: the cookie's flags, CSRF on
 * cookie changes but not on bearer ones, sign-out, idle expiry and the brake on guessing.
 */
class DashboardSignInTest {
  static final String PASSWORD = "correct horse battery";

  @TempDir
  Path dir;

  private TestNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private void start(Map<String, String> extra) throws Exception {
    Map<String, String> flags = new HashMap<>(extra);
    flags.put("dashboard.password", PASSWORD);
    node = TestNode.start(dir, flags);
  }

  private HttpResponse<String> login(String password) throws Exception {
    return login(password, Map.of());
  }

  private HttpResponse<String> login(String password, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url("/login")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(TestNode.JSON.writeValueAsString(Map.of("password", password))));
    headers.forEach(request::header);
    return node.send(request.build());
  }

  /** "trackside_session=abc" out of the Set-Cookie header. */
  private static String cookie(HttpResponse<String> response) {
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private HttpResponse<String> withCookie(String method, String path, String cookie, String csrf, String body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url(path))).header("Cookie", cookie)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (csrf != null) {
      request.header("X-CSRF-Token", csrf);
    }
    return node.send(request.build());
  }

  @Test
  void wrongPasswordIsRefusedLateAndTheRightOneGivesAStrictHttpOnlyCookie() throws Exception {
    start(Map.of());
    long started = System.nanoTime();
    HttpResponse<String> wrong = login("guess");
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("wrong_password");
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(millis).as("a wrong password is answered after the 1 s delay").isGreaterThanOrEqualTo(1000);

    HttpResponse<String> right = login(PASSWORD);
    assertThat(right.statusCode()).isEqualTo(200);
    String setCookie = right.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).startsWith("trackside_session=").containsIgnoringCase("HttpOnly").contains("SameSite=Strict")
        .contains("Path=/").doesNotContain("Secure"); // plain HTTP, and the config does not say TLS
    assertThat(TestNode.JSON.readTree(right.body()).get("csrfToken").asText()).hasSizeGreaterThan(30);

    String cookie = cookie(right);
    assertThat(withCookie("GET", "/api/events?limit=1", cookie, null, null).statusCode()).isEqualTo(200);
    assertThat(withCookie("GET", "/api/events?limit=1", "trackside_session=forged", null, null).statusCode())
        .isEqualTo(401);
    assertThat(node.send(HttpRequest.newBuilder(URI.create(node.url("/api/events"))).build()).statusCode())
        .isEqualTo(401);
  }

  @Test
  void pagesRedirectToLoginWithoutASessionAndCarryAStrictContentSecurityPolicy() throws Exception {
    start(Map.of());
    HttpResponse<String> anonymous = node.send(HttpRequest.newBuilder(URI.create(node.url("/live"))).build());
    assertThat(anonymous.statusCode()).isEqualTo(302);
    assertThat(anonymous.headers().firstValue("Location")).hasValue("/login");

    String cookie = cookie(login(PASSWORD));
    for (String page : List.of("/", "/live", "/funnels", "/ecommerce", "/journeys", "/attribution", "/quality")) {
      HttpResponse<String> answer = withCookie("GET", page, cookie, null, null);
      assertThat(answer.statusCode()).as(page).isEqualTo(200);
      assertThat(answer.body()).as(page).contains("<script type=\"module\" src=\"/assets/");
      String csp = answer.headers().firstValue("Content-Security-Policy").orElseThrow();
      assertThat(csp).contains("default-src 'self'").contains("script-src 'self'").doesNotContain("unsafe-inline");
    }
    HttpResponse<String> echarts = node.send(HttpRequest.newBuilder(URI.create(node.url("/assets/echarts.js"))).build());
    assertThat(echarts.statusCode()).isEqualTo(200);
    assertThat(echarts.body()).hasSizeGreaterThan(500_000); // the WebJar's bundle, from the jar
    assertThat(node.send(HttpRequest.newBuilder(URI.create(node.url("/assets/..%2Fpom.xml"))).build()).statusCode())
        .isEqualTo(404);
  }

  @Test
  void cookieChangesNeedTheCsrfTokenBearerChangesDoNot() throws Exception {
    start(Map.of());
    HttpResponse<String> signedIn = login(PASSWORD);
    String cookie = cookie(signedIn);
    String csrf = TestNode.JSON.readTree(signedIn.body()).get("csrfToken").asText();
    JsonNode session = TestNode.JSON.readTree(withCookie("GET", "/api/session", cookie, null, null).body());
    assertThat(session.get("csrfToken").asText()).isEqualTo(csrf);

    String erase = "{\"userId\": \"nobody-42\"}";
    HttpResponse<String> noToken = withCookie("POST", "/api/privacy/delete", cookie, null, erase);
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(noToken.body()).contains("csrf_token_missing");
    assertThat(withCookie("POST", "/api/privacy/delete", cookie, "not-the-token", erase).statusCode()).isEqualTo(403);
    assertThat(withCookie("POST", "/api/privacy/delete", cookie, csrf, erase).statusCode()).isBetween(200, 299);

    HttpResponse<String> bearer = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/privacy/delete")))
        .header("Authorization", "Bearer " + TestNode.ADMIN_TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(erase)).build());
    assertThat(bearer.statusCode()).isBetween(200, 299);
  }

  @Test
  void logoutEndsTheSession() throws Exception {
    start(Map.of());
    HttpResponse<String> signedIn = login(PASSWORD);
    String cookie = cookie(signedIn);
    String csrf = TestNode.JSON.readTree(signedIn.body()).get("csrfToken").asText();
    assertThat(withCookie("POST", "/logout", cookie, null, null).statusCode()).isEqualTo(403); // CSRF here too
    HttpResponse<String> out = withCookie("POST", "/logout", cookie, csrf, null);
    assertThat(out.statusCode()).isEqualTo(204);
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
    assertThat(withCookie("GET", "/api/events", cookie, null, null).statusCode()).isEqualTo(401);
    assertThat(withCookie("GET", "/", cookie, null, null).statusCode()).isEqualTo(302);
  }

  @Test
  void anIdleSessionExpires() throws Exception {
    start(Map.of("dashboard.session-idle", "2s"));
    String cookie = cookie(login(PASSWORD));
    Thread.sleep(1200);
    assertThat(withCookie("GET", "/api/events", cookie, null, null).statusCode()).as("used within 2 s").isEqualTo(200);
    Thread.sleep(1200);
    assertThat(withCookie("GET", "/api/events", cookie, null, null).statusCode()).as("idle clock restarted").isEqualTo(200);
    Thread.sleep(2500);
    assertThat(withCookie("GET", "/api/events", cookie, null, null).statusCode()).as("idle 2.5 s").isEqualTo(401);
  }

  @Test
  void tenWrongPasswordsFromOneAddressLockItOutEvenForTheRightOne() throws Exception {
    start(Map.of());
    // 15 guesses at once: an attempt counts as failed from its start, so only 10 are checked at all.
    List<CompletableFuture<HttpResponse<String>>> guesses = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      guesses.add(node.http.sendAsync(HttpRequest.newBuilder(URI.create(node.url("/login")))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"password\": \"guess-" + i + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    int wrong = 0;
    int refused = 0;
    for (CompletableFuture<HttpResponse<String>> guess : guesses) {
      int status = guess.get().statusCode();
      wrong += status == 401 ? 1 : 0;
      refused += status == 429 ? 1 : 0;
    }
    assertThat(wrong).isEqualTo(10);
    assertThat(refused).isEqualTo(5);
    HttpResponse<String> locked = login(PASSWORD);
    assertThat(locked.statusCode()).isEqualTo(429);
    assertThat(locked.headers().firstValue("Retry-After")).isPresent();
    assertThat(locked.headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  void aSignedInBrowserSkipsTheLoginPage() throws Exception {
    start(Map.of());
    assertThat(node.send(HttpRequest.newBuilder(URI.create(node.url("/login"))).build()).statusCode()).isEqualTo(200);
    HttpResponse<String> again = withCookie("GET", "/login", cookie(login(PASSWORD)), null, null);
    assertThat(again.statusCode()).isEqualTo(302);
    assertThat(again.headers().firstValue("Location")).hasValue("/");
  }

  @Test
  void theCookieIsSecureWhenTheConfigSaysTheSiteIsBehindTls() throws Exception {
    start(Map.of("dashboard.secure-cookie", "true"));
    assertThat(login(PASSWORD).headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure");
  }

  @Test
  void theCookieIsSecureWhenATrustedProxySaysHttps() throws Exception {
    start(Map.of("server.trust-forwarded-for", "true"));
    assertThat(login(PASSWORD, Map.of("X-Forwarded-Proto", "https")).headers().firstValue("Set-Cookie").orElseThrow())
        .contains("Secure");
  }

  @Test
  void firstStartWritesOnlyTheHashOfAGeneratedPasswordAndItSignsIn() throws Exception {
    Path config = dir.resolve("fresh.yml");
    Map<String, String> flags = new HashMap<>();
    flags.put("data", dir.resolve("fresh-data").toString());
    ConfigLoader.Loaded loaded = ConfigLoader.load(config, new HashMap<>(), flags);
    String password = loaded.config().dashboard().generatedPassword();
    assertThat(password).hasSizeGreaterThanOrEqualTo(20);
    String written = Files.readString(config);
    assertThat(written).doesNotContain(password).contains("password-hash: pbkdf2-sha256$600000$");
    assertThat(PasswordHash.matches(loaded.config().dashboard().passwordHash(), password)).isTrue();
    // The next start reads the hash and prints no password.
    assertThat(ConfigLoader.load(config, new HashMap<>(), flags).config().dashboard().generatedPassword()).isNull();
  }
}
