package io.trackside.destination;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends one request and waits for the answer (of which at most 64 KiB is kept: platforms' errors
 * are short, a proxy's HTML page need not be kept whole). Vert.x's client, not the JDK's: GA4
 * takes one visitor per request, so a busy site means thousands of small requests a second, and
 * the JDK client cost about three times as much CPU per request (docs/BENCHMARKS.md).
 */
final class HttpSender implements AutoCloseable {
  static final int MAX_ANSWER_BYTES = 64 * 1024;

  /** A platform's answer. */
  record Answer(int status, String retryAfter, String body) {
  }

  private final Vertx vertx;
  private final HttpClientAgent client;

  HttpSender(int maxConnectionsPerHost) {
    this.vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1));
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout(5_000)
            .setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(maxConnectionsPerHost).setMaxWaitQueueSize(-1));
  }

  Answer send(OutgoingRequest request, Duration timeout) throws IOException, InterruptedException {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.valueOf(request.method()))
        .setAbsoluteURI(request.uri().toString())
        .setIdleTimeout(timeout.toMillis());
    request.headers().forEach(options::putHeader);
    if (!request.headers().containsKey("User-Agent")) {
      options.putHeader("User-Agent", "Trackside");
    }
    Future<Answer> answer = client.request(options).compose(req -> {
      Buffer body = request.body() == null ? Buffer.buffer() : Buffer.buffer(request.body());
      return req.send(body).compose(response -> response.body().map(bytes -> new Answer(response.statusCode(),
          response.getHeader("Retry-After"),
          bytes.length() > MAX_ANSWER_BYTES ? bytes.getString(0, MAX_ANSWER_BYTES) : bytes.toString())));
    });
    try {
      return answer.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new HttpTimeoutException("no answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause.getClass().getSimpleName().contains("Timeout")) {
        throw new HttpTimeoutException("no answer within " + timeout.toMillis() + " ms");
      }
      throw new IOException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
    }
  }

  @Override
  public void close() {
    client.close();
    vertx.close();
  }
}
