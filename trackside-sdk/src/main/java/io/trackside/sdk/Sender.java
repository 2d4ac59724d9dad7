package io.trackside.sdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The one thread that sends: waits for a batch to fill (by count, bytes or time), posts it
 * gzipped to {@code /v1/batch}, and retries it until it is acknowledged, refused or out of
 * attempts — one batch at a time, so events reach the server in the order they were enqueued and
 * a server in trouble gets one request at a time, not a growing crowd. While it retries, new
 * events wait in the bounded queue (and are dropped, counted, when it is full).
 */
final class Sender implements Runnable {
  private static final System.Logger LOG = System.getLogger(Trackside.class.getName());

  /** {@code {"batch":[} … {@code ],"sentAt":"2024-05-01T10:00:05.123Z"}} with room to spare. */
  static final int ENVELOPE_BYTES = 64;

  private final Outbox outbox;
  private final HttpClient http;
  private final URI batchUrl;
  private final String authorization;
  private final Settings settings;
  private final Backoff backoff;

  /** The client's settings the sender needs. */
  record Settings(int batchCount, int maxRequestBytes, Duration flushInterval, Duration requestTimeout,
                  int maxRetries) {
  }

  Sender(Outbox outbox, HttpClient http, URI batchUrl, String authorization, Settings settings, Backoff backoff) {
    this.outbox = outbox;
    this.http = http;
    this.batchUrl = batchUrl;
    this.authorization = authorization;
    this.settings = settings;
    this.backoff = backoff;
  }

  @Override
  public void run() {
    List<Message> batch = List.of();
    try {
      long batchBodyBytes = settings.maxRequestBytes() - ENVELOPE_BYTES;
      while (outbox.awaitBatch(settings.batchCount(), batchBodyBytes, settings.flushInterval().toNanos())) {
        batch = outbox.take(settings.batchCount(), batchBodyBytes);
        deliver(batch);
        batch = List.of();
      }
    } catch (InterruptedException e) {
      // close() ran out of time: what is in hand and in the queue is given up, counted.
      if (!batch.isEmpty()) {
        outbox.gaveUp(batch.size());
      }
      outbox.abandonQueued();
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      // A bug here must not leave the application with a queue that silently never drains.
      LOG.log(Level.ERROR, "Trackside sender stopped by an unexpected error; queued events are given up", e);
      if (!batch.isEmpty()) {
        outbox.gaveUp(batch.size());
      }
      outbox.close();
      outbox.abandonQueued();
      throw e;
    }
  }

  /** One batch until it is acknowledged, refused, or out of attempts. The same bytes each time but sentAt. */
  private void deliver(List<Message> batch) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      Outcome outcome = post(batch);
      switch (outcome.kind) {
        case SENT -> {
          outbox.sent(batch.size());
          return;
        }
        case REJECTED -> {
          LOG.log(Level.WARNING, "Trackside refused a batch of {0} events with {1}; they are dropped, not retried: {2}",
              String.valueOf(batch.size()), String.valueOf(outcome.status), outcome.detail);
          outbox.rejected(batch.size());
          return;
        }
        case RETRY -> {
          if (attempt >= settings.maxRetries()) {
            LOG.log(Level.WARNING, "Trackside: giving up a batch of {0} events after {1} attempts; last: {2}",
                String.valueOf(batch.size()), String.valueOf(attempt + 1), outcome.detail);
            outbox.gaveUp(batch.size());
            return;
          }
          Duration wait = backoff.delay(attempt + 1, outcome.retryAfter);
          LOG.log(Level.DEBUG, "Trackside: {0}; retrying {1} events in {2} ms", outcome.detail,
              String.valueOf(batch.size()), String.valueOf(wait.toMillis()));
          outbox.retrying(batch.size());
          Thread.sleep(wait.toMillis());
        }
        default -> throw new IllegalStateException(outcome.kind.name());
      }
    }
  }

  private enum Kind { SENT, REJECTED, RETRY }

  /** @param retryAfter the server's Retry-After, or null */
  private record Outcome(Kind kind, int status, String detail, Duration retryAfter) {
  }

  private Outcome post(List<Message> batch) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(batchUrl)
        .timeout(settings.requestTimeout())
        .header("Authorization", authorization)
        .header("Content-Type", "application/json")
        .header("Content-Encoding", "gzip")
        .header("User-Agent", Library.NAME + "/" + Library.VERSION)
        .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(body(batch, Instant.now()))))
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new Outcome(Kind.RETRY, 0, "no answer from " + batchUrl + " (" + e + ")", null);
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return new Outcome(Kind.SENT, status, null, null);
    }
    String detail = "HTTP " + status + " " + abbreviate(response.body());
    if (status >= 500 || status == 429 || status == 408) {
      Duration retryAfter = response.headers().firstValue("Retry-After").map(Backoff::parseRetryAfter).orElse(null);
      return new Outcome(Kind.RETRY, status, detail, retryAfter);
    }
    return new Outcome(Kind.REJECTED, status, detail, null);
  }

  /**
   * The request body. sentAt is the time of this attempt: the server corrects each event's
   * timestamp by {@code receivedAt − sentAt}, which is right only if sentAt is when it was sent.
   */
  static byte[] body(List<Message> batch, Instant sentAt) {
    int size = ENVELOPE_BYTES;
    for (Message m : batch) {
      size += m.bytes().length + 1;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.writeBytes("{\"batch\":[".getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < batch.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(batch.get(i).bytes());
    }
    out.writeBytes(("],\"sentAt\":\"" + Json.timestamp(sentAt) + "\"}").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out, 8192)) {
      gzip.write(body);
    } catch (IOException e) {
      throw new IllegalStateException("gzip into memory cannot fail", e);
    }
    return out.toByteArray();
  }

  private static String abbreviate(String body) {
    if (body == null) {
      return "";
    }
    String oneLine = body.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
  }
}
