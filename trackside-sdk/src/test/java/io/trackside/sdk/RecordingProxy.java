package io.trackside.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * Sits between the SDK and a real Trackside, passes every request through unchanged and keeps a
 * copy: what went over the wire (headers, gzip, how many requests, how many events in each) is
 * seen here, what the server made of it in the server.
 */
final class RecordingProxy implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as it arrived, and the server's answer. */
  record Exchange(String method, String path, String contentEncoding, String authorization, String userAgent,
                  byte[] body, int status, long receivedAtNanos) {
    /** The body, inflated when it was gzipped. */
    byte[] inflated() {
      if (!"gzip".equals(contentEncoding)) {
        return body;
      }
      try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    JsonNode json() {
      try {
        return JSON.readTree(inflated());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    int events() {
      return json().get("batch").size();
    }
  }

  private final HttpServer server;
  private final URI target;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  private final AtomicInteger answersToLose = new AtomicInteger();

  RecordingProxy(URI target) throws IOException {
    this.target = target;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext("/", this::forward);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  void clear() {
    exchanges.clear();
    answersToLose.set(0);
  }

  /**
   * The next {@code n} requests reach the server, but its answer never reaches the client: the
   * connection is closed instead — as when a network or a load balancer fails after the server
   * stored the batch. The client can only send it again.
   */
  void loseAnswers(int n) {
    answersToLose.set(n);
  }

  private void forward(HttpExchange exchange) throws IOException {
    long receivedAt = System.nanoTime();
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    for (String header : List.of("Authorization", "Content-Type", "Content-Encoding", "User-Agent")) {
      String value = exchange.getRequestHeaders().getFirst(header);
      if (value != null) {
        request.header(header, value);
      }
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } catch (IOException e) {
      exchange.sendResponseHeaders(502, -1);
      exchange.close();
      return;
    }
    exchanges.add(new Exchange(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
        exchange.getRequestHeaders().getFirst("Content-Encoding"), exchange.getRequestHeaders().getFirst("Authorization"),
        exchange.getRequestHeaders().getFirst("User-Agent"), body, response.statusCode(), receivedAt));
    if (answersToLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      exchange.close(); // no status line: the client sees the connection end
      return;
    }
    response.headers().firstValue("Retry-After").ifPresent(v -> exchange.getResponseHeaders().add("Retry-After", v));
    response.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().add("Content-Type", v));
    byte[] answer = response.body();
    exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
    if (answer.length > 0) {
      exchange.getResponseBody().write(answer);
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
