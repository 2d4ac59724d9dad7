package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * GA4's collection endpoints on a local port, for tests that send real HTTP requests:
 * <ul>
 *   <li>{@code /mp/collect} answers 204 to every POST, as GA4 does even for a wrong secret or a
 *       malformed body (protocols.md §2.1), and records what it got and whether the
 *       measurement id and api secret were the expected ones;</li>
 *   <li>{@code /debug/mp/collect} answers 200 {@code {"validationMessages":[…]}} from
 *       {@link Ga4Validation}, and, like Google's, does not check the api secret.</li>
 * </ul>
 * A test can script the next answers ({@link #answerNext}) to see how errors are read.
 */
final class Ga4StandIn implements AutoCloseable {

  /** One request as the stand-in received it; {@code body} is null when it was not JSON. */
  record Received(String method, String path, Map<String, String> query, String contentType, JsonNode body,
                  boolean credentialsOk) {
  }

  private record Answer(int status, String body) {
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final String measurementId;
  private final String apiSecret;
  private final Clock clock;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Deque<Answer> scripted = new ArrayDeque<>();

  private Ga4StandIn(String measurementId, String apiSecret, Clock clock) throws IOException {
    this.measurementId = measurementId;
    this.apiSecret = apiSecret;
    this.clock = clock;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/mp/collect", exchange -> handle(exchange, false));
    server.createContext("/debug/mp/collect", exchange -> handle(exchange, true));
    server.start();
  }

  /** @param clock the validation server's "now", for the 72-hour backdating rule */
  static Ga4StandIn start(String measurementId, String apiSecret, Clock clock) throws IOException {
    return new Ga4StandIn(measurementId, apiSecret, clock);
  }

  /** The base URL to configure as the destination's {@code base-url}. */
  String baseUrl() {
    return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  /** Answers the next request with this instead of GA4's usual answer (requests are still recorded). */
  synchronized void answerNext(int status, String body) {
    scripted.add(new Answer(status, body));
  }

  private synchronized Answer nextScripted() {
    return scripted.poll();
  }

  private void handle(HttpExchange exchange, boolean debug) throws IOException {
    try {
      byte[] bytes;
      try (InputStream in = exchange.getRequestBody()) {
        bytes = in.readAllBytes();
      }
      String path = exchange.getRequestURI().getPath();
      if (!path.equals(debug ? "/debug/mp/collect" : "/mp/collect")) {
        answer(exchange, 404, "");
        return;
      }
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      JsonNode body = parse(bytes);
      received.add(new Received(exchange.getRequestMethod(), path, query,
          exchange.getRequestHeaders().getFirst("Content-Type"), body,
          measurementId.equals(query.get("measurement_id")) && apiSecret.equals(query.get("api_secret"))));
      Answer scriptedAnswer = nextScripted();
      if (scriptedAnswer != null) {
        answer(exchange, scriptedAnswer.status(), scriptedAnswer.body());
      } else if (!exchange.getRequestMethod().equals("POST")) {
        answer(exchange, 405, "");
      } else if (!debug) {
        answer(exchange, 204, "");
      } else if (body == null) {
        answer(exchange, 400, "{\"error\":{\"code\":400,\"message\":\"Invalid JSON payload received.\"}}");
      } else {
        ObjectNode findings = JSON.createObjectNode();
        var messages = findings.putArray("validationMessages");
        Ga4Validation.validate(body, clock.instant()).forEach(m -> messages.add(m.toJson(JSON)));
        answer(exchange, 200, findings.toString());
      }
    } finally {
      exchange.close(); // HttpExchange is AutoCloseable only from Java 18
    }
  }

  private static JsonNode parse(byte[] bytes) {
    try {
      return bytes.length == 0 ? null : JSON.readTree(bytes);
    } catch (IOException notJson) {
      return null;
    }
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 0) {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
    }
    // 204 must have no body: -1 tells the server so; otherwise the exact length.
    exchange.sendResponseHeaders(status, status == 204 || bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0 && status != 204) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new LinkedHashMap<>();
    if (raw == null) {
      return query;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      query.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return query;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
