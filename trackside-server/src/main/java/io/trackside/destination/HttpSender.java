package io.trackside.destination;

import io.trackside.pipeline.BackgroundPriority;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Sends requests and hands back the answers (of which at most 64 KiB is kept: platforms' errors
 * are short, a proxy's HTML page need not be kept whole). Vert.x's client, not the JDK's: GA4
 * takes one visitor per request, so a busy site means thousands of small requests a second, and
 * the JDK client cost about three times as much CPU per request (docs/BENCHMARKS.md).
 *
 * <p>{@link #sendAsync} is the engine's path: no thread waits for an answer, the answer is
 * handled on the client's event loop. Two clients: HTTP/1.1 with a pool of connections, and
 * HTTP/2 (for destinations with {@code http2}), where the requests in flight share one
 * connection — over TLS negotiated by ALPN (falling back to HTTP/1.1 if the server offers only
 * that), over plain http by prior knowledge (h2c; a local stand-in must speak it).
 */
final class HttpSender implements AutoCloseable {
  static final int MAX_ANSWER_BYTES = 64 * 1024;

  /** A platform's answer. */
  record Answer(int status, String retryAfter, String body) {
  }

  private final Vertx vertx;
  private final HttpClientAgent http1;
  private final int maxConnectionsPerHost;
  private volatile HttpClientAgent http2;

  HttpSender(int maxConnectionsPerHost) {
    this.vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1));
    this.maxConnectionsPerHost = maxConnectionsPerHost;
    this.http1 = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout(5_000)
            .setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(maxConnectionsPerHost).setMaxWaitQueueSize(-1));
  }

  private HttpClientAgent http2() {
    HttpClientAgent client = http2;
    if (client == null) {
      synchronized (this) {
        client = http2;
        if (client == null) {
          client = vertx.createHttpClient(new HttpClientOptions()
                  .setConnectTimeout(5_000)
                  .setKeepAlive(true)
                  .setProtocolVersion(HttpVersion.HTTP_2)
                  .setUseAlpn(true)
                  .setHttp2ClearTextUpgrade(false),
              // One HTTP/2 connection carries as many streams as the server allows;
              // HTTP/1.1 connections, if ALPN falls back, as many as the HTTP/1.1 client.
              new PoolOptions().setHttp2MaxSize(1).setHttp1MaxSize(maxConnectionsPerHost).setMaxWaitQueueSize(-1));
          http2 = client;
        }
      }
    }
    return client;
  }

  /** Sends over HTTP/1.1 and waits for the answer. */
  Answer send(OutgoingRequest request, Duration timeout) throws IOException, InterruptedException {
    return send(request, timeout, false);
  }

  Answer send(OutgoingRequest request, Duration timeout, boolean useHttp2) throws IOException, InterruptedException {
    try {
      return sendAsync(request, timeout, useHttp2).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }

  /**
   * The answer, or failed with an {@link HttpTimeoutException} (no answer within the timeout) or
   * another {@link IOException}; completed on the client's event loop.
   */
  CompletableFuture<Answer> sendAsync(OutgoingRequest request, Duration timeout, boolean useHttp2) {
    long millis = timeout.toMillis();
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.valueOf(request.method()))
        .setAbsoluteURI(request.uri().toString())
        .setIdleTimeout(millis);
    request.headers().forEach(options::putHeader);
    if (!request.headers().containsKey("User-Agent")) {
      options.putHeader("User-Agent", "Trackside");
    }
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    // The whole exchange within the timeout, as a blocking wait with that timeout would have it.
    long timer = vertx.setTimer(millis, id -> answer.completeExceptionally(
        new HttpTimeoutException("no answer within " + millis + " ms")));
    (useHttp2 ? http2() : http1).request(options).compose(req -> {
      Buffer body = request.body() == null ? Buffer.buffer() : Buffer.buffer(request.body());
      return req.send(body).compose(response -> response.body().map(bytes -> new Answer(response.statusCode(),
          response.getHeader("Retry-After"),
          bytes.length() > MAX_ANSWER_BYTES ? bytes.getString(0, MAX_ANSWER_BYTES) : bytes.toString())));
    }).onComplete(result -> {
      BackgroundPriority.lowerCurrentThread(); // the client's event loops are delivery's
      nameDeliveryThread();
      vertx.cancelTimer(timer);
      if (result.succeeded()) {
        answer.complete(result.result());
      } else {
        Throwable cause = result.cause();
        answer.completeExceptionally(cause.getClass().getSimpleName().contains("Timeout")
            ? new HttpTimeoutException("no answer within " + millis + " ms")
            : new IOException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause));
      }
    });
    return answer;
  }

  /**
   * This client's own Vert.x names its threads like the collector's ("vert.x-eventloop-thread-0");
   * renamed once, so that thread dumps and CPU by thread tell delivery from ingest.
   */
  private static void nameDeliveryThread() {
    Thread thread = Thread.currentThread();
    String name = thread.getName();
    if (name.startsWith("vert.x-")) {
      thread.setName("trackside-delivery-" + name.substring("vert.x-".length()));
    }
  }

  @Override
  public void close() {
    http1.close();
    HttpClientAgent client = http2;
    if (client != null) {
      client.close();
    }
    vertx.close();
  }
}
