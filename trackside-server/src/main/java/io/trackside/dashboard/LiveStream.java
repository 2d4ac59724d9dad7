package io.trackside.dashboard;

import io.trackside.collect.HttpErrors;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/live/stream}: the stored events as Server-Sent Events. A reconnecting
 * {@code EventSource} sends {@code Last-Event-ID} and gets what it missed, as far as the ring of
 * {@link LiveEvents} reaches; a fresh one may ask for {@code ?backlog=N} recent events first.
 * A comment line every {@code heartbeat} keeps proxies from closing a quiet stream.
 *
 * <p>Each client is served on its own event loop and buffers at most {@link #MAX_CLIENT_BUFFER}
 * bytes in Vert.x: when that is full the stream waits for the socket to drain, and if the ring
 * has meanwhile moved past what the client was sent, the client is too slow and is closed.
 * The warehouse writer only ever wakes streams; it never waits for one.
 */
public final class LiveStream {
  private static final Logger LOG = LoggerFactory.getLogger(LiveStream.class);
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
  /** Bytes waiting for one client's socket before we stop writing to it. */
  static final int MAX_CLIENT_BUFFER = 256 * 1024;
  /** Messages copied per turn on the event loop, so one stream never holds the loop long. */
  private static final int MESSAGES_PER_TURN = 200;
  private static final int MAX_BACKLOG = LiveEvents.DEFAULT_CAPACITY;

  private final LiveEvents events;
  private final Duration heartbeat;
  private final AtomicInteger dropped = new AtomicInteger();

  public LiveStream(LiveEvents events) {
    this(events, DEFAULT_HEARTBEAT);
  }

  LiveStream(LiveEvents events, Duration heartbeat) {
    this.events = events;
    this.heartbeat = heartbeat;
  }

  /** Mounted by {@link AdminApi}'s caller after the authentication handler, like every /api/ route. */
  public void mount(Router router) {
    router.get("/api/live/stream").handler(this::open);
  }

  /** Clients closed for being too slow, since start. */
  int droppedClients() {
    return dropped.get();
  }

  private void open(RoutingContext ctx) {
    long start;
    try {
      start = startAfter(ctx);
    } catch (IllegalArgumentException e) {
      HttpErrors.send(ctx, 400, "invalid_parameter", e.getMessage());
      return;
    }
    HttpServerResponse response = ctx.response();
    response.setChunked(true).setWriteQueueMaxSize(MAX_CLIENT_BUFFER)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Accel-Buffering", "no"); // nginx: pass each message on at once
    response.write("retry: 3000\n: connected\n\n");
    new Client(ctx.vertx().getOrCreateContext(), response, start).start();
  }

  private long startAfter(RoutingContext ctx) {
    String lastEventId = ctx.request().getHeader("Last-Event-ID");
    if (lastEventId != null && !lastEventId.isBlank()) {
      try {
        // What the ring no longer holds is gone; an id from the future (another server) starts at now.
        return events.resumeAfter(Long.parseLong(lastEventId.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Last-Event-ID must be an id this stream sent, got '" + lastEventId + "'");
      }
    }
    String backlog = ctx.request().getParam("backlog");
    if (backlog == null || backlog.isBlank()) {
      return events.newestId();
    }
    try {
      int n = Integer.parseInt(backlog.trim());
      if (n >= 0 && n <= MAX_BACKLOG) {
        return events.idBeforeLast(n);
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    throw new IllegalArgumentException("backlog must be a whole number from 0 to " + MAX_BACKLOG + ", got '" + backlog + "'");
  }

  /** One connected client; every method but {@link #wake} runs on the client's event loop. */
  private final class Client {
    private final Context context;
    private final HttpServerResponse response;
    private final AtomicBoolean woken = new AtomicBoolean();
    private final Runnable listener = this::wake;
    private long sentUpTo;
    private long heartbeatTimer = -1;
    private boolean closed;

    Client(Context context, HttpServerResponse response, long sentUpTo) {
      this.context = context;
      this.response = response;
      this.sentUpTo = sentUpTo;
    }

    void start() {
      response.closeHandler(v -> stop());
      response.exceptionHandler(e -> stop());
      events.onPublish(listener);
      heartbeatTimer = context.owner().setPeriodic(heartbeat.toMillis(), t -> {
        if (!closed && !response.writeQueueFull()) {
          response.write(": heartbeat\n\n");
        }
      });
      pump();
    }

    /** From any thread (the warehouse writer): schedules one pump, however many publishes come. */
    void wake() {
      if (woken.compareAndSet(false, true)) {
        try {
          context.runOnContext(v -> {
            woken.set(false);
            pump();
          });
        } catch (RuntimeException e) {
          events.removeListener(listener); // Vert.x is closing
        }
      }
    }

    private void pump() {
      while (!closed) {
        LiveEvents.Slice slice = events.after(sentUpTo, MESSAGES_PER_TURN);
        if (slice.missed()) {
          // The ring moved past what this client was sent while its socket was full: too slow.
          dropped.incrementAndGet();
          LOG.info("a live stream client fell more than the ring's events behind and was closed (it may reconnect)");
          stop();
          response.reset(); // close now: what is queued for it is not worth sending
          return;
        }
        if (slice.messages().isEmpty()) {
          return;
        }
        if (response.writeQueueFull()) {
          response.drainHandler(v -> pump());
          return;
        }
        Buffer chunk = Buffer.buffer();
        for (LiveEvents.Message m : slice.messages()) {
          chunk.appendString(m.text());
        }
        sentUpTo = slice.messages().get(slice.messages().size() - 1).id();
        response.write(chunk);
        if (slice.messages().size() == MESSAGES_PER_TURN) {
          wake(); // more: continue on a later turn and let other work on this loop run meanwhile
          return;
        }
      }
    }

    private void stop() {
      if (closed) {
        return;
      }
      closed = true;
      events.removeListener(listener);
      if (heartbeatTimer >= 0) {
        context.owner().cancelTimer(heartbeatTimer);
      }
    }
  }
}
