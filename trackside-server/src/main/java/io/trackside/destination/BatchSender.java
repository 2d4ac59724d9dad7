package io.trackside.destination;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles a batch of items for one destination: checks consent, filters and age, maps each event,
 * packs the rest into requests within the platform's limits, and sends them with bounded
 * concurrency — retrying transport failures, 408, 429 and 5xx with backoff (honouring
 * Retry-After) behind the circuit breaker, and splitting a refused request in halves until the
 * refused events are alone, so one bad event never sinks the others.
 */
final class BatchSender {
  private static final Logger log = LoggerFactory.getLogger(BatchSender.class);

  private final DestinationConfig config;
  private final Destination destination;
  private final Set<String> requiredConsent;
  private final HttpSender http;
  private final CircuitBreaker breaker;
  private final Backoff backoff;
  private final DestinationMetrics metrics;
  private final ExecutorService senders;
  private final Predicate<DeliveryEvent> erased;
  private final Object stopSignal;
  private final int maxEvents;
  private final int maxBytes;
  private final boolean sendBots;
  /** Whether events that carry no consent signal at all are sent (the operator's choice; default no). */
  private final boolean grantUnknownConsent;
  /** The destination's {@code http2} setting; null: the default (GA4 over https). */
  private final Boolean http2;

  BatchSender(DestinationConfig config, Destination destination, HttpSender http, CircuitBreaker breaker,
              Backoff backoff, DestinationMetrics metrics, ExecutorService senders, Predicate<DeliveryEvent> erased,
              Object stopSignal) {
    this.config = config;
    this.destination = destination;
    this.requiredConsent = config.consent() != null ? config.consent() : destination.requiredConsent();
    this.http = http;
    this.breaker = breaker;
    this.backoff = backoff;
    this.metrics = metrics;
    this.senders = senders;
    this.erased = erased;
    this.stopSignal = stopSignal;
    int platformMax = destination.limits().maxEvents();
    this.maxEvents = config.maxEvents() > 0 ? Math.min(config.maxEvents(), platformMax) : platformMax;
    this.maxBytes = destination.limits().maxBytes();
    this.sendBots = Boolean.parseBoolean(config.option("send-bots", "false"));
    this.grantUnknownConsent = "grant".equals(config.option("unknown-consent", "deny"));
    String http2 = config.option("http2", null);
    this.http2 = http2 == null ? null : Boolean.valueOf(http2);
  }

  Set<String> requiredConsent() {
    return requiredConsent;
  }

  /**
   * Settles what it can; returns the dead letters to store. Items left unsettled (only when
   * stopping) are read again from the log on the next start.
   */
  List<DeadLetter> settle(List<DeliveryItem> items, BooleanSupplier stopping) throws InterruptedException {
    List<DeadLetter> dead = new ArrayList<>();
    Map<String, List<DeliveryItem>> byKey = new LinkedHashMap<>();
    Instant now = Instant.now();
    for (DeliveryItem item : items) {
      String notSent = gate(item, now, dead);
      item.releaseEvent();
      if (notSent == null) {
        byKey.computeIfAbsent(item.send.batchKey() == null ? "" : item.send.batchKey(), k -> new ArrayList<>())
            .add(item);
      }
    }
    List<List<DeliveryItem>> chunks = new ArrayList<>();
    for (List<DeliveryItem> sameKey : byKey.values()) {
      List<DeliveryItem> chunk = new ArrayList<>();
      int bytes = 0;
      for (DeliveryItem item : sameKey) {
        int size = item.send.bytes() + 1;
        if (!chunk.isEmpty() && (chunk.size() >= maxEvents || bytes + size > maxBytes)) {
          chunks.add(chunk);
          chunk = new ArrayList<>();
          bytes = 0;
        }
        chunk.add(item);
        bytes += size;
      }
      if (!chunk.isEmpty()) {
        chunks.add(chunk);
      }
    }
    if (!chunks.isEmpty()) {
      Window window = new Window(chunks, stopping);
      window.start();
      window.await();
      dead.addAll(window.dead);
      for (Throwable bug : window.errors) {
        // A bug in a mapping: the chunk stays unsettled and is read again; say so loudly.
        log.error("Destination {}: sending a request failed unexpectedly; its events stay in the log", config.id(),
            bug);
        metrics.failedAttempt("internal error: " + bug);
      }
    }
    return dead;
  }

  /**
   * The requests of one read, at most {@code concurrency} at once. A request goes out without a
   * thread waiting for it: its answer is handled on the HTTP client's event loop, and a chunk that
   * is delivered there frees its slot for the next chunk, sent from that same thread. Only a chunk
   * whose first attempt was not delivered (an error to retry, a refusal to split) or that meets the
   * circuit breaker not closed goes to a sender thread, which settles it as before (retries with
   * backoff, Retry-After, splitting) while keeping its slot.
   */
  private final class Window {
    private final java.util.ArrayDeque<List<DeliveryItem>> waiting;
    private final BooleanSupplier stopping;
    private final List<DeadLetter> dead = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final java.util.concurrent.CountDownLatch done;

    Window(List<List<DeliveryItem>> chunks, BooleanSupplier stopping) {
      this.waiting = new java.util.ArrayDeque<>(chunks);
      this.stopping = stopping;
      this.done = new java.util.concurrent.CountDownLatch(chunks.size());
    }

    void start() {
      int slots = Math.max(1, config.concurrency());
      for (int i = 0; i < slots; i++) {
        List<DeliveryItem> chunk = next();
        if (chunk == null) {
          return;
        }
        launch(chunk);
      }
    }

    void await() throws InterruptedException {
      done.await();
    }

    /** The next chunk to send, or null; when stopping, the rest are left unsettled (read again on the next start). */
    private List<DeliveryItem> next() {
      synchronized (this) {
        if (!stopping.getAsBoolean()) {
          return waiting.poll();
        }
        int left = waiting.size();
        waiting.clear();
        for (int i = 0; i < left; i++) {
          done.countDown();
        }
        return null;
      }
    }

    private void finished(List<DeadLetter> deadLetters, Throwable error) {
      synchronized (this) {
        if (deadLetters != null) {
          dead.addAll(deadLetters);
        }
        if (error != null) {
          errors.add(error);
        }
      }
      done.countDown();
      List<DeliveryItem> chunk = next();
      if (chunk != null) {
        launch(chunk);
      }
    }

    private void launch(List<DeliveryItem> chunk) {
      if (!breaker.tryAcquireClosed()) {
        blocking(chunk, null);
        return;
      }
      OutgoingRequest request;
      try {
        request = destination.request(payloads(chunk));
      } catch (RuntimeException bug) {
        breaker.release();
        finished(null, bug);
        return;
      }
      metrics.request();
      http.sendAsync(request, config.timeout(), http2(request)).whenComplete((answer, error) -> {
        try {
          if (answer != null && delivered(chunk, answer)) {
            finished(null, null);
          } else {
            blocking(chunk, new FirstAttempt(request, answer, error));
          }
        } catch (RuntimeException bug) {
          finished(null, bug);
        }
      });
    }

    /** Settles the chunk on a sender thread: retries, splitting, the breaker's waits. */
    private void blocking(List<DeliveryItem> chunk, FirstAttempt first) {
      try {
        senders.execute(() -> {
          List<DeadLetter> deadLetters = null;
          Throwable error = null;
          try {
            deadLetters = send(chunk, 1, stopping, first);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = e;
          } catch (RuntimeException | Error e) {
            error = e;
          }
          finished(deadLetters, error);
        });
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        finished(null, stopped); // the delivery is stopping: the chunk stays unsettled
      }
    }
  }

  /** The outcome of a chunk's first attempt, sent without waiting: an answer, or why there was none. */
  private record FirstAttempt(OutgoingRequest request, HttpSender.Answer answer, Throwable error) {
  }

  /** Whether the answer settles the chunk as delivered (then it is marked so): the common case, handled on the event loop. */
  private boolean delivered(List<DeliveryItem> chunk, HttpSender.Answer answer) {
    int status = answer.status();
    if (retryable(status) || !(destination.verdict(status, answer.body()) instanceof Verdict.Delivered)) {
      return false;
    }
    breaker.success();
    for (DeliveryItem item : chunk) {
      item.delivered = true;
      item.settled = true;
    }
    metrics.delivered(chunk.size());
    return true;
  }

  private static boolean retryable(int status) {
    return status == 408 || status == 429 || status >= 500 || status == 401 || status == 403;
  }

  /** HTTP/2 if the destination's {@code http2} says so; by default only GA4 over https (ALPN negotiates it). */
  private boolean http2(OutgoingRequest request) {
    return http2 != null ? http2 : "ga4".equals(destination.type()) && "https".equals(request.uri().getScheme());
  }

  /** Null when the item is to be sent (its {@code send} set); otherwise it is settled here. */
  private String gate(DeliveryItem item, Instant now, List<DeadLetter> dead) {
    if (item.event == null) {
      dead.add(deadLetter(item, "undecodable", item.decodeError, null, null, null));
      item.settled = true;
      return "undecodable";
    }
    DeliveryEvent e = item.event;
    String filteredBy = null;
    if (e.bot() && !sendBots) {
      filteredBy = "bot";
    } else if (erased.test(e)) {
      filteredBy = "erased";
    } else if ((filteredBy = config.filter().reject(e)) != null) {
      // the filter says which
    } else if (!requiredConsent.isEmpty() && !e.consent().containsAll(requiredConsent)) {
      if (e.consentKnown()) {
        filteredBy = "no_consent";
      } else if (!grantUnknownConsent) {
        // No signal at all is not a refusal, but not a grant either: by default nothing is sent;
        // an operator whose visitors need no consent (no banner required) sets unknown-consent: grant.
        filteredBy = "no_consent_signal";
      }
    }
    if (filteredBy != null) {
      metrics.filtered(filteredBy);
      item.settled = true;
      return filteredBy;
    }
    Duration maxAge = destination.limits().maxAge();
    if (maxAge != null && e.timestamp() != null && e.timestamp().isBefore(now.minus(maxAge))) {
      dead.add(deadLetter(item, "too_old", "the event happened at " + e.timestamp() + ", more than " + maxAge
          + " ago; " + destination.type() + " refuses events that old", null, null, null));
      item.settled = true;
      return "too_old";
    }
    Mapped mapped;
    try {
      mapped = destination.map(e);
    } catch (RuntimeException bug) {
      dead.add(deadLetter(item, "mapping_failed", bug.toString(), null, null, null));
      item.settled = true;
      return "mapping_failed";
    }
    if (mapped instanceof Mapped.Skip skip) {
      metrics.filtered(code(skip.reason()));
      item.settled = true;
      return skip.reason();
    }
    if (mapped instanceof Mapped.Reject reject) {
      dead.add(deadLetter(item, code(reject.reason()), reject.reason(), null, null, null));
      item.settled = true;
      return reject.reason();
    }
    item.send = (Mapped.Send) mapped;
    return null;
  }

  /** Sends one request until it is settled; splits it when the platform refuses it. */
  private List<DeadLetter> send(List<DeliveryItem> chunk, int depth, BooleanSupplier stopping, FirstAttempt first)
      throws InterruptedException {
    List<DeadLetter> dead = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      if (attempt > 1) {
        // An outage can outlast the platform's age limit: what got too old meanwhile goes now.
        chunk = dropTooOld(chunk, dead);
        if (chunk.isEmpty()) {
          return dead;
        }
      }
      OutgoingRequest request;
      Duration retryAfter = null;
      String failure = null;
      HttpSender.Answer answer = null;
      if (attempt == 1 && first != null) {
        // Sent already (the breaker acquired then): what came back is this attempt's outcome.
        request = first.request();
        answer = first.answer();
        if (first.error() instanceof HttpTimeoutException) {
          failure = "timed out after " + config.timeout().toMillis() + " ms";
        } else if (first.error() != null) {
          failure = "connection failed: " + first.error();
        }
      } else {
        if (!breaker.acquire(stopping)) {
          retryingDone(chunk, attempt); // stopping: the chunk stays unsettled in the log
          return dead;
        }
        request = destination.request(payloads(chunk));
        try {
          metrics.request();
          answer = http.send(request, config.timeout(), http2(request));
        } catch (HttpTimeoutException e) {
          failure = "timed out after " + config.timeout().toMillis() + " ms";
        } catch (IOException e) {
          failure = "connection failed: " + e;
        } catch (InterruptedException e) {
          breaker.release();
          throw e;
        }
      }
      if (answer != null) {
        int status = answer.status();
        if (retryable(status)) {
          retryAfter = Backoff.retryAfter(answer.retryAfter(), Instant.now());
          failure = "answered " + status + (status == 401 || status == 403 ? " (check the credentials in the"
              + " destination's config; events wait in the log)" : "") + ": " + excerpt(answer.body());
        } else {
          Verdict verdict = destination.verdict(status, answer.body());
          if (verdict instanceof Verdict.Delivered) {
            breaker.success();
            for (DeliveryItem item : chunk) {
              item.delivered = true;
              item.settled = true;
            }
            metrics.delivered(chunk.size());
            retryingDone(chunk, attempt);
            return dead;
          }
          if (verdict instanceof Verdict.Rejected rejected) {
            breaker.success(); // the platform is up and reading; the events are the problem
            retryingDone(chunk, attempt);
            if (chunk.size() == 1) {
              DeliveryItem item = chunk.get(0);
              dead.add(deadLetter(item, "rejected", rejected.reason(), status, request, answer.body()));
              item.settled = true;
              return dead;
            }
            int half = chunk.size() / 2;
            dead.addAll(send(new ArrayList<>(chunk.subList(0, half)), depth + 1, stopping, null));
            dead.addAll(send(new ArrayList<>(chunk.subList(half, chunk.size())), depth + 1, stopping, null));
            return dead;
          }
          failure = "answered " + status + ", a transient error: " + ((Verdict.Retry) verdict).reason();
        }
      }
      breaker.failure();
      metrics.failedAttempt(failure);
      if (attempt == 1) {
        metrics.retrying.addAndGet(chunk.size());
      }
      Duration wait = backoff.delay(attempt, retryAfter);
      if (attempt == 1 || attempt % 10 == 0) {
        log.warn("Destination {}: request with {} events {}; retrying in {} ms (attempt {}){}", config.id(),
            chunk.size(), failure, wait.toMillis(), attempt + 1, retryAfter == null ? "" : " as Retry-After asks");
      }
      if (!sleep(wait, stopping)) {
        retryingDone(chunk, attempt);
        return dead;
      }
    }
  }

  private void retryingDone(List<DeliveryItem> chunk, int attempt) {
    if (attempt > 1) {
      metrics.retrying.addAndGet(-chunk.size());
    }
  }

  private List<DeliveryItem> dropTooOld(List<DeliveryItem> chunk, List<DeadLetter> dead) {
    Duration maxAge = destination.limits().maxAge();
    if (maxAge == null) {
      return chunk;
    }
    Instant cutoff = Instant.now().minus(maxAge);
    List<DeliveryItem> keep = new ArrayList<>(chunk.size());
    for (DeliveryItem item : chunk) {
      if (item.timestamp != null && item.timestamp.isBefore(cutoff)) {
        dead.add(deadLetter(item, "too_old", "became older than " + maxAge + " while " + destination.type()
            + " was failing; last error: " + metrics.lastError, null, null, null));
        item.settled = true;
        metrics.retrying.decrementAndGet();
      } else {
        keep.add(item);
      }
    }
    return keep;
  }

  private boolean sleep(Duration wait, BooleanSupplier stopping) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (stopSignal) {
      while (!stopping.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        TimeUnit.NANOSECONDS.timedWait(stopSignal, left);
      }
    }
    return false;
  }

  private static List<Mapped.Send> payloads(List<DeliveryItem> chunk) {
    List<Mapped.Send> sends = new ArrayList<>(chunk.size());
    for (DeliveryItem item : chunk) {
      sends.add(item.send);
    }
    return sends;
  }

  private DeadLetter deadLetter(DeliveryItem item, String reason, String detail, Integer status,
                                OutgoingRequest request, String response) {
    String requestText = request == null ? null : request.method() + " " + redact(request.uri().toString()) + "\n"
        + (request.body() == null ? "" : new String(request.body(), StandardCharsets.UTF_8));
    return new DeadLetter(config.id(), item.eventId, item.messageId, item.userId, item.anonymousId, item.partition,
        item.offset, item.timestamp, Instant.now(), reason, detail, status, requestText, response,
        new String(item.record, StandardCharsets.UTF_8));
  }

  /** Secrets travel in query strings (GA4's api_secret, Meta's access_token): never store them. */
  static String redact(String uri) {
    return uri.replaceAll("(?i)((?:api_secret|access_token|secret|token|key)=)[^&]*", "$1REDACTED");
  }

  /** A short reason code for metrics: the leading word of a reason ("too_old_for_ga4: …" → too_old_for_ga4). */
  static String code(String reason) {
    if (reason == null || reason.isEmpty()) {
      return "unknown";
    }
    int end = 0;
    while (end < reason.length() && end < 40) {
      char c = reason.charAt(end);
      if (!(Character.isLetterOrDigit(c) || c == '_')) {
        break;
      }
      end++;
    }
    return end == 0 ? "other" : reason.substring(0, end).toLowerCase(java.util.Locale.ROOT);
  }

  private static String excerpt(String body) {
    if (body == null) {
      return "";
    }
    String oneLine = body.replaceAll("\\s+", " ").trim();
    return oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine;
  }
}
