package io.trackside.sdk;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends events to Trackside (or any server speaking Segment's HTTP API) from a Java application.
 *
 * <pre>{@code
 * Trackside trackside = Trackside.builder("wk_...").endpoint(URI.create("https://t.example.com")).build();
 * trackside.enqueue(TrackMessage.builder("Order Completed").userId("u-42")
 *     .properties(Map.of("revenue", 19.5, "currency", "EUR")));
 * ...
 * trackside.close(); // on shutdown: sends what is queued
 * }</pre>
 *
 * <p>{@link #enqueue} never blocks and never throws: the event is serialised on the caller's
 * thread and queued; a full queue, an oversize or an invalid event is dropped and counted in
 * {@link #stats()}. One background thread sends batches and retries them. Thread-safe.
 */
public final class Trackside implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Trackside.class.getName());

  /** Segment's per-event limit. */
  static final int MAX_EVENT_BYTES = 32 * 1024;
  /**
   * Room the server needs in each event: it copies the batch's sentAt into every event before it
   * measures the event (and serialises it its own way).
   */
  static final int EVENT_HEADROOM = 64;
  /** Segment's 500 KB per request, read as the smaller 500,000 bytes (Trackside takes 500 KiB). */
  static final int MAX_REQUEST_BYTES = 500_000;
  /** Events per batch request that Segment and Trackside accept. */
  static final int MAX_BATCH_EVENTS = 2500;

  private final Outbox outbox;
  private final Thread sender;
  private final ExecutorService httpExecutor;
  private final Duration closeTimeout;
  private final LogThrottle queueFullLog = new LogThrottle(TimeUnit.SECONDS.toNanos(10));
  private final LogThrottle oversizeLog = new LogThrottle(TimeUnit.SECONDS.toNanos(10));
  private final LogThrottle invalidLog = new LogThrottle(TimeUnit.SECONDS.toNanos(10));
  private final Object closeLock = new Object();
  private boolean closed;

  private Trackside(Builder b) {
    this.outbox = new Outbox(b.maxQueueSize, b.maxQueueBytes);
    this.closeTimeout = b.closeTimeout;
    this.httpExecutor = Executors.newCachedThreadPool(b.threadFactory);
    HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(b.connectTimeout)
        .executor(httpExecutor)
        .build();
    String authorization = "Basic " + Base64.getEncoder()
        .encodeToString((b.writeKey + ":").getBytes(StandardCharsets.UTF_8));
    Sender.Settings settings = new Sender.Settings(b.flushQueueSize, MAX_REQUEST_BYTES, b.flushInterval,
        b.requestTimeout, b.maxRetries);
    Runnable loop = new Sender(outbox, http, batchUrl(b.endpoint), authorization, settings,
        new Backoff(b.retryInitial, b.retryMax));
    this.sender = b.threadFactory.newThread(loop);
    sender.start();
  }

  public static Builder builder(String writeKey) {
    return new Builder(writeKey);
  }

  /** {@code <endpoint>/v1/batch}; an endpoint with a path (behind a reverse proxy) keeps it. */
  static URI batchUrl(URI endpoint) {
    String base = endpoint.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return URI.create(base + "/v1/batch");
  }

  /**
   * Builds the message and queues it. Never blocks, never throws.
   *
   * @return true if queued; false if dropped (queue full, over 32 KB, invalid, or closed) — counted
   *         in {@link #stats()} either way, and logged (at most once per 10 s per reason)
   */
  public boolean enqueue(MessageBuilder<?> message) {
    Message built;
    try {
      built = Objects.requireNonNull(message, "message").build();
    } catch (RuntimeException e) {
      outbox.refuse(Outbox.Refusal.INVALID);
      long unlogged = invalidLog.occurrence();
      if (unlogged >= 0) {
        LOG.log(Level.WARNING, "Trackside: dropped an invalid event ({0}){1}", e.getMessage(), more(unlogged));
      }
      return false;
    }
    return enqueue(built);
  }

  /** Queues a message built before. Never blocks, never throws; see {@link #enqueue(MessageBuilder)}. */
  public boolean enqueue(Message message) {
    if (message == null) {
      outbox.refuse(Outbox.Refusal.INVALID);
      return false;
    }
    int size = message.bytes().length;
    if (size > MAX_EVENT_BYTES - EVENT_HEADROOM) {
      outbox.refuse(Outbox.Refusal.OVERSIZE);
      long unlogged = oversizeLog.occurrence();
      if (unlogged >= 0) {
        LOG.log(Level.WARNING, "Trackside: dropped a {0} event of {1} bytes (messageId {2}): the limit is {3} bytes{4}",
            message.type(), String.valueOf(size), message.messageId(), String.valueOf(MAX_EVENT_BYTES - EVENT_HEADROOM),
            more(unlogged));
      }
      return false;
    }
    Outbox.Offer offer = outbox.offer(message);
    if (offer == Outbox.Offer.FULL) {
      long unlogged = queueFullLog.occurrence();
      if (unlogged >= 0) {
        LOG.log(Level.WARNING, "Trackside: the queue is full (the server is slow or unreachable); dropping events{0}",
            more(unlogged));
      }
    }
    return offer == Outbox.Offer.ACCEPTED;
  }

  private static String more(long unlogged) {
    return unlogged > 0 ? " (and " + unlogged + " more since the last such line)" : "";
  }

  /**
   * Sends what is queued now, without waiting for full batches, and waits until every event
   * enqueued before this call is sent, refused or given up — at most {@code closeTimeout}.
   *
   * @return true when they all were; false when some are still pending (the server is down or slow)
   */
  public boolean flush() {
    return flush(closeTimeout);
  }

  /** {@link #flush()} with its own bound on the wait. */
  public boolean flush(Duration maxWait) {
    try {
      return outbox.flush(maxWait.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Counts since the client was built; always adds up: enqueued = sent + dropped() + pending. */
  public Stats stats() {
    return outbox.stats();
  }

  /**
   * Stops accepting events, sends everything queued (retrying as usual) and stops the sender,
   * waiting at most {@code closeTimeout}; what is still unsent then is given up and counted.
   * Idempotent.
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    outbox.close();
    boolean interrupted = false;
    try {
      if (!outbox.awaitDrained(closeTimeout.toNanos())) {
        LOG.log(Level.WARNING, "Trackside: close() waited {0} ms; giving up {1} unsent events",
            String.valueOf(closeTimeout.toMillis()), String.valueOf(outbox.stats().pending()));
        sender.interrupt(); // ends a retry's wait or the request in flight; the sender counts the rest
      }
      sender.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      interrupted = true;
      sender.interrupt();
    } finally {
      httpExecutor.shutdownNow();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The same as {@link #close()}, under the name analytics-java uses. */
  public void shutdown() {
    close();
  }

  /** Settings with the defaults of Segment's analytics-java where it has them. */
  public static final class Builder {
    private final String writeKey;
    private URI endpoint;
    private int flushQueueSize = 250;
    private Duration flushInterval = Duration.ofSeconds(10);
    private int maxQueueSize = 10_000;
    private long maxQueueBytes = 32L * 1024 * 1024;
    private int maxRetries = 10;
    private Duration retryInitial = Duration.ofSeconds(1);
    private Duration retryMax = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(30);
    private ThreadFactory threadFactory = defaultThreadFactory();

    private Builder(String writeKey) {
      if (writeKey == null || writeKey.isBlank()) {
        throw new IllegalArgumentException("the write key is required (the source's key, e.g. wk_...)");
      }
      this.writeKey = writeKey.trim();
    }

    /** The server's base URL, e.g. {@code https://t.example.com}; events go to {@code <endpoint>/v1/batch}. Required. */
    public Builder endpoint(URI endpoint) {
      String scheme = endpoint.getScheme();
      if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
        throw new IllegalArgumentException("the endpoint must be an http(s) URL, got " + endpoint);
      }
      this.endpoint = endpoint;
      return this;
    }

    public Builder endpoint(String endpoint) {
      return endpoint(URI.create(endpoint));
    }

    /** A batch is sent once this many events are queued (default 250; at most 2,500). */
    public Builder flushQueueSize(int events) {
      this.flushQueueSize = between("flushQueueSize", events, 1, MAX_BATCH_EVENTS);
      return this;
    }

    /** … or once the oldest queued event has waited this long (default 10 s). */
    public Builder flushInterval(Duration interval) {
      this.flushInterval = positive("flushInterval", interval);
      return this;
    }

    /** Events the queue holds while the server is slow or down; more are dropped (default 10,000). */
    public Builder maxQueueSize(int events) {
      this.maxQueueSize = between("maxQueueSize", events, 1, Integer.MAX_VALUE);
      return this;
    }

    /** Bytes of serialised events the queue holds, whatever their count (default 32 MB). */
    public Builder maxQueueBytes(long bytes) {
      if (bytes < MAX_EVENT_BYTES) {
        throw new IllegalArgumentException("maxQueueBytes must hold at least one event (" + MAX_EVENT_BYTES + "), got " + bytes);
      }
      this.maxQueueBytes = bytes;
      return this;
    }

    /** Attempts after the first before a batch is given up (default 10; 0 = never retry). */
    public Builder maxRetries(int retries) {
      this.maxRetries = between("maxRetries", retries, 0, 1_000_000);
      return this;
    }

    /** The first wait between attempts, doubling up to {@code max} (defaults 1 s and 30 s), with jitter. */
    public Builder retryBackoff(Duration initial, Duration max) {
      positive("retry backoff", initial);
      positive("retry backoff maximum", max);
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("the retry backoff maximum " + max + " is below its start " + initial);
      }
      this.retryInitial = initial;
      this.retryMax = max;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /** How long one request may take before it counts as failed and is retried (default 30 s). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive("requestTimeout", timeout);
      return this;
    }

    /** The longest {@link #close()} (and {@link #flush()}) waits for queued events to be sent (default 30 s). */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = positive("closeTimeout", timeout);
      return this;
    }

    /** Makes the sender thread and the HTTP client's threads (default: daemon threads named trackside-sdk-N). */
    public Builder threadFactory(ThreadFactory factory) {
      this.threadFactory = Objects.requireNonNull(factory, "threadFactory");
      return this;
    }

    /** @throws IllegalStateException when the endpoint is missing */
    public Trackside build() {
      if (endpoint == null) {
        throw new IllegalStateException("endpoint(...) is required: the Trackside server's URL, e.g. https://t.example.com");
      }
      return new Trackside(this);
    }

    private static int between(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", got " + value);
      }
      return value;
    }

    private static Duration positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }

    private static ThreadFactory defaultThreadFactory() {
      AtomicInteger n = new AtomicInteger();
      return runnable -> {
        // Daemon: a forgotten close() must not keep the application's JVM from exiting.
        Thread t = new Thread(runnable, "trackside-sdk-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
    }
  }
}
