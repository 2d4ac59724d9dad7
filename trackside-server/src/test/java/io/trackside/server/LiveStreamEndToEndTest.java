package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /api/live/stream on a real node: events sent to the Segment API come out of the stream once
 * the warehouse stored them, with increasing ids, and a client reconnecting with Last-Event-ID
 * gets exactly what it missed.
 */
class LiveStreamEndToEndTest {
  @TempDir
  Path dir;

  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.start(dir);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  /** A stream reader on its own thread: each message as {id, data}. */
  private record Message(long id, JsonNode data) {
  }

  private BlockingQueue<Message> open(String lastEventId, List<HttpResponse<Stream<String>>> opened) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url("/api/live/stream")))
        .header("Authorization", "Bearer " + TestNode.ADMIN_TOKEN);
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Stream<String>> response = node.http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
    opened.add(response);
    BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      Iterator<String> lines = response.body().iterator();
      long id = -1;
      try {
        while (lines.hasNext()) {
          String line = lines.next();
          if (line.startsWith("id: ")) {
            id = Long.parseLong(line.substring(4));
          } else if (line.startsWith("data: ")) {
            messages.add(new Message(id, TestNode.JSON.readTree(line.substring(6))));
          }
        }
      } catch (Exception closed) {
        // the test closed the stream
      }
    });
    reader.setDaemon(true);
    reader.start();
    return messages;
  }

  private void track(String event, String anonymousId) throws Exception {
    HttpResponse<String> sent = node.post("/v1/track", "{\"type\":\"track\",\"event\":" + TestNode.JSON.writeValueAsString(event)
        + ",\"anonymousId\":\"" + anonymousId + "\",\"context\":{\"page\":{\"url\":\"https://shop.example/cart\"}}}");
    assertThat(sent.statusCode()).isEqualTo(200);
  }

  @Test
  void storedEventsAreStreamedAndAReconnectResumesAfterLastEventId() throws Exception {
    List<HttpResponse<Stream<String>>> opened = new ArrayList<>();
    BlockingQueue<Message> first = open(null, opened);
    track("Stream One", "live-visitor-1");
    Message one = first.poll(60, TimeUnit.SECONDS); // the first event also waits for the UA parser's warm-up
    assertThat(one).as("the first event arrives on the stream").isNotNull();
    assertThat(one.data().get("event").asText()).isEqualTo("Stream One");
    assertThat(one.data().get("type").asText()).isEqualTo("track");
    assertThat(one.data().get("page").asText()).isEqualTo("/cart");
    assertThat(one.data().get("visitorId").asText()).isEqualTo("live-visitor-1");
    assertThat(one.data().get("bot").isBoolean()).isTrue(); // Java's HTTP client is flagged as a bot, but shown
    assertThat(one.data().has("time")).isTrue();
    opened.get(0).body().close(); // the client goes away...

    // ...and misses three events, sent one by one so their order is the order stored.
    List<String> missed = List.of("Stream Two", "Stream Three", "Stream Four");
    for (String name : missed) {
      track(name, "live-visitor-1");
      node.eventsUntil("?event=" + name.replace(' ', '+'), events -> events.size() == 1);
    }

    BlockingQueue<Message> resumed = open(Long.toString(one.id()), opened);
    List<Message> got = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Message m = resumed.poll(20, TimeUnit.SECONDS);
      assertThat(m).as("missed event " + i).isNotNull();
      got.add(m);
    }
    assertThat(got).extracting(m -> m.data().get("event").asText()).containsExactlyElementsOf(missed);
    assertThat(got.get(0).id()).isEqualTo(one.id() + 1);
    assertThat(got.get(1).id()).isEqualTo(one.id() + 2);
    assertThat(got.get(2).id()).isEqualTo(one.id() + 3);
    assertThat(resumed.poll(500, TimeUnit.MILLISECONDS)).as("nothing before Last-Event-ID again").isNull();

    track("Stream Five", "live-visitor-2");
    Message five = resumed.poll(20, TimeUnit.SECONDS);
    assertThat(five.data().get("event").asText()).isEqualTo("Stream Five");
    assertThat(five.id()).isEqualTo(one.id() + 4);
    opened.forEach(r -> r.body().close());
  }

  @Test
  void theStreamNeedsTheTokenOrASession() throws Exception {
    HttpResponse<String> anonymous = node.send(HttpRequest.newBuilder(URI.create(node.url("/api/live/stream"))).build());
    assertThat(anonymous.statusCode()).isEqualTo(401);
  }
}
