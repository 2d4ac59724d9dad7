package io.trackside.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The live stream's own behaviour on a real Vert.x HTTP server with real clients: heartbeats,
 * and a client that stops reading is dropped while the publisher never waits and a reading
 * client gets every message. (Through a whole node, with the warehouse feeding it:
 * io.trackside.server.LiveStreamEndToEndTest.)
 */
class LiveStreamTest {
  private Vertx vertx;
  private HttpServer server;
  private LiveEvents events;
  private LiveStream stream;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    events = new LiveEvents(100);
    stream = new LiveStream(events, Duration.ofMillis(200));
    Router router = Router.router(vertx);
    stream.mount(router);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private URI uri(String query) {
    return URI.create("http://127.0.0.1:" + server.actualPort() + "/api/live/stream" + query);
  }

  @Test
  void aQuietStreamGetsHeartbeatComments() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(uri("")).build(),
        HttpResponse.BodyHandlers.ofLines());
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    Iterator<String> lines = response.body().iterator();
    long started = System.nanoTime();
    int heartbeats = 0;
    while (heartbeats < 2 && lines.hasNext()) {
      if (lines.next().equals(": heartbeat")) {
        heartbeats++;
      }
    }
    assertThat(heartbeats).isEqualTo(2);
    assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(350));
    response.body().close();
  }

  @Test
  void aClientThatStopsReadingIsDroppedWithoutSlowingThePublisherOrAReadingClient() throws Exception {
    // The slow client: a raw socket with a tiny receive window that reads the headers and then nothing.
    Socket slow = new Socket();
    slow.setReceiveBufferSize(4096);
    slow.connect(new InetSocketAddress("127.0.0.1", server.actualPort()));
    slow.getOutputStream().write(("GET /api/live/stream HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    BufferedReader head = new BufferedReader(new InputStreamReader(slow.getInputStream(), StandardCharsets.US_ASCII), 1);
    assertThat(head.readLine()).isEqualTo("HTTP/1.1 200 OK");

    // The reading client counts every message.
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<Stream<String>> fast = http.send(HttpRequest.newBuilder(uri("")).build(), HttpResponse.BodyHandlers.ofLines());
    List<Long> fastIds = new ArrayList<>();
    Thread reader = new Thread(() -> fast.body().filter(l -> l.startsWith("id: "))
        .forEach(l -> fastIds.add(Long.parseLong(l.substring(4)))));
    reader.start();
    waitFor(() -> events.listenerCount() == 2);

    // 100 batches of 10 messages of ~8 KB: 8 MB, far more than the slow socket, its kernel
    // buffers (a few hundred KB at most with a 4 KB window) and the 256 KB Vert.x buffer hold,
    // and ten times the ring of 100.
    String filler = "x".repeat(8_000);
    long slowestPublishNanos = 0;
    for (int batch = 0; batch < 100; batch++) {
      List<Map<String, Object>> payloads = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        payloads.add(Map.of("event", "e" + (batch * 10 + i), "page", filler));
      }
      long started = System.nanoTime();
      events.publishPayloads(payloads);
      slowestPublishNanos = Math.max(slowestPublishNanos, System.nanoTime() - started);
      Thread.sleep(10);
    }
    waitFor(() -> stream.droppedClients() == 1);
    assertThat(events.listenerCount()).as("only the reading client is left").isEqualTo(1);
    assertThat(slowestPublishNanos).as("publishing never waits for a client")
        .isLessThan(TimeUnit.MILLISECONDS.toNanos(200));
    // The slow socket was closed by the server: reading on, it ends (EOF or reset) instead of blocking.
    slow.setSoTimeout(10_000);
    InputStream in = slow.getInputStream();
    byte[] sink = new byte[65536];
    try {
      while (in.read(sink) >= 0) {
        // drain what the kernel still holds
      }
    } catch (java.net.SocketException reset) {
      // closed with a reset: also fine
    }
    slow.close();

    waitFor(() -> fastIds.size() == 1000);
    assertThat(fastIds).hasSize(1000);
    for (int i = 1; i < fastIds.size(); i++) {
      assertThat(fastIds.get(i)).isEqualTo(fastIds.get(i - 1) + 1); // in order, none missed
    }
    fast.body().close();
  }

  @Test
  void aBadLastEventIdIsA400() throws Exception {
    HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri(""))
        .header("Last-Event-ID", "abc").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(400);
    HttpResponse<String> backlog = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri("?backlog=5000")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(backlog.statusCode()).isEqualTo(400);
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }
}
