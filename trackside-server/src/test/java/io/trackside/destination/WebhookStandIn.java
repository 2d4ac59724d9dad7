package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver for webhook batches that checks the signature and counts every event by
 * its id, with a programmable answer per request for fault injection.
 */
final class WebhookStandIn implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to do with one request (numbered from 1): answer with a status (and headers), or hang. */
  record Reply(int status, Map<String, String> headers, long delayMillis, boolean accept) {
    static Reply ok() {
      return new Reply(200, Map.of(), 0, true);
    }

    static Reply status(int status) {
      return new Reply(status, Map.of(), 0, false);
    }
  }

  interface Behaviour {
    Reply reply(int requestNumber, JsonNode batch);
  }

  final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
  final List<JsonNode> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger badSignatures = new AtomicInteger();
  private final HttpServer server;
  private final byte[] secret;
  volatile Behaviour behaviour = (n, batch) -> Reply.ok();

  WebhookStandIn(int port, String secret) throws IOException {
    this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url() {
    return "http://127.0.0.1:" + port() + "/hook";
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    int n = requests.incrementAndGet();
    if (secret != null && !signatureValid(exchange.getRequestHeaders().getFirst(WebhookDestination.SIGNATURE_HEADER),
        body)) {
      badSignatures.incrementAndGet();
      respond(exchange, 401, Map.of(), "{\"error\":\"bad signature\"}");
      return;
    }
    JsonNode batch = JSON.readTree(body);
    Reply reply = behaviour.reply(n, batch);
    if (reply.delayMillis() > 0) {
      try {
        Thread.sleep(reply.delayMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (reply.accept()) {
      for (JsonNode event : batch.path("batch")) {
        deliveries.computeIfAbsent(event.path("eventId").asText(), id -> new AtomicInteger()).incrementAndGet();
        accepted.add(event);
      }
    }
    respond(exchange, reply.status(), reply.headers(), reply.accept() ? "{\"ok\":true}" : "{\"error\":\"refused\"}");
  }

  private boolean signatureValid(String header, byte[] body) {
    if (header == null || !header.startsWith("t=") || !header.contains(",v1=")) {
      return false;
    }
    long t = Long.parseLong(header.substring(2, header.indexOf(',')));
    String given = header.substring(header.indexOf(",v1=") + 4);
    return Math.abs(System.currentTimeMillis() / 1000 - t) < 300 && WebhookDestination.hmac(secret, t, body).equals(given);
  }

  private static void respond(HttpExchange exchange, int status, Map<String, String> headers, String body)
      throws IOException {
    headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    try {
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException clientGone) {
      // the sender timed out and closed the connection: expected in the timeout tests
    }
  }

  /** Events delivered more than once. */
  long duplicates() {
    return deliveries.values().stream().filter(c -> c.get() > 1).count();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
