package io.trackside.destination;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Sends one request and reads at most 64 KiB of the answer (platforms' errors are short; a proxy's HTML page need not be kept whole). */
final class HttpSender {
  static final int MAX_ANSWER_BYTES = 64 * 1024;

  /** A platform's answer. */
  record Answer(int status, String retryAfter, String body) {
  }

  private final HttpClient client;

  HttpSender(HttpClient client) {
    this.client = client;
  }

  static HttpClient defaultClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  Answer send(OutgoingRequest request, Duration timeout) throws IOException, InterruptedException {
    HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(timeout)
        .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(request.body()));
    request.headers().forEach(builder::header);
    if (!request.headers().containsKey("User-Agent")) {
      builder.header("User-Agent", "Trackside");
    }
    HttpResponse<InputStream> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
    String body;
    try (InputStream in = response.body()) {
      body = new String(in.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8);
    }
    return new Answer(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), body);
  }
}
