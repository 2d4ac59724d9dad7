package io.trackside.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A scripted HTTP server for what a healthy Trackside never does on cue (503 with Retry-After,
 * 429, 500 forever): each request gets the next scripted answer (the last one repeats), and is
 * kept with its arrival time.
 */
final class StubServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Answer(int status, Map<String, String> headers, String body) {
    static Answer of(int status) {
      return new Answer(status, Map.of(), status == 200 ? "{\"success\":true}" : "{\"code\":\"scripted\",\"message\":\"scripted\"}");
    }

    static Answer of(int status, String header, String value) {
      return new Answer(status, Map.of(header, value), "{\"code\":\"scripted\",\"message\":\"scripted\"}");
    }
  }

  record Request(String path, Map<String, List<String>> headers, byte[] body, long atNanos) {
    String header(String name) {
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name)) {
          return h.getValue().get(0);
        }
      }
      return null;
    }

    JsonNode json() {
      try (InputStream in = "gzip".equals(header("Content-Encoding"))
          ? new GZIPInputStream(new ByteArrayInputStream(body)) : new ByteArrayInputStream(body)) {
        return JSON.readTree(in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    List<String> messageIds() {
      List<String> ids = new ArrayList<>();
      json().get("batch").forEach(e -> ids.add(e.get("messageId").asText()));
      return ids;
    }
  }

  private final HttpServer server;
  private final ConcurrentLinkedQueue<Answer> script;
  private volatile Answer last = Answer.of(200);
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  StubServer(Answer... answers) throws IOException {
    this.script = new ConcurrentLinkedQueue<>(List.of(answers));
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    long at = System.nanoTime();
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    requests.add(new Request(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), body, at));
    Answer answer = script.poll();
    if (answer == null) {
      answer = last;
    } else if (script.isEmpty()) {
      last = answer;
    }
    answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    byte[] out = answer.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(answer.status(), out.length);
    exchange.getResponseBody().write(out);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
