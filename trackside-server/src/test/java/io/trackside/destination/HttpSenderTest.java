package io.trackside.destination;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The platforms' HTTP client against a real server: with {@code http2} the requests go as
 * HTTP/2 (h2c by prior knowledge over plain http) and share one connection; without it they go
 * as HTTP/1.1. Bodies, headers and answers arrive whole either way.
 */
class HttpSenderTest {
  private final Vertx vertx = Vertx.vertx();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private HttpSender sender;

  @BeforeEach
  void start() throws Exception {
    server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      seen.add(request.version() + " " + request.connection().hashCode() + " " + request.getHeader("X-Test") + " "
          + body.toString(StandardCharsets.UTF_8));
      request.response().setStatusCode(429).putHeader("Retry-After", "7").end("slow down");
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    sender = new HttpSender(8);
  }

  @AfterEach
  void stop() throws Exception {
    sender.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void withHttp2TheRequestsInFlightShareOneHttp2Connection() throws Exception {
    List<CompletableFuture<HttpSender.Answer>> answers = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(sender.sendAsync(request("{\"n\":" + i + "}"), Duration.ofSeconds(10), true));
    }
    for (CompletableFuture<HttpSender.Answer> answer : answers) {
      HttpSender.Answer a = answer.get(10, TimeUnit.SECONDS);
      assertThat(a.status()).isEqualTo(429);
      assertThat(a.retryAfter()).isEqualTo("7");
      assertThat(a.body()).isEqualTo("slow down");
    }
    assertThat(seen).hasSize(20).allMatch(line -> line.startsWith(HttpVersion.HTTP_2 + " "))
        .allMatch(line -> line.contains(" yes {\"n\":"));
    assertThat(seen.stream().map(line -> line.split(" ")[1]).distinct()).hasSize(1);
  }

  @Test
  void withoutItTheyGoAsHttp11() throws Exception {
    HttpSender.Answer answer = sender.send(request("{\"n\":1}"), Duration.ofSeconds(10), false);
    assertThat(answer.status()).isEqualTo(429);
    assertThat(seen).singleElement().asString().startsWith(HttpVersion.HTTP_1_1 + " ").endsWith(" yes {\"n\":1}");
  }

  @Test
  void itsEventLoopsAreNamedAsDeliverysNotLikeTheCollectors() throws Exception {
    sender.send(request("{\"n\":2}"), Duration.ofSeconds(10), false); // renamed before the answer is handed over
    assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
        .anyMatch(name -> name.startsWith("trackside-delivery-eventloop-thread-"));
  }

  private OutgoingRequest request(String json) {
    return new OutgoingRequest("POST", URI.create("http://127.0.0.1:" + server.actualPort() + "/mp/collect"),
        java.util.Map.of("Content-Type", "application/json", "X-Test", "yes"), json.getBytes(StandardCharsets.UTF_8));
  }
}
