package io.trackside.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pixel through the real server: an image every time, the event stored only when it is valid. */
class PixelTest {
  private static final byte[] GIF = Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

  @TempDir
  Path dir;

  private static HttpResponse<byte[]> get(TestNode node, String pathAndQuery) throws Exception {
    return node.http.send(HttpRequest.newBuilder(URI.create(node.url(pathAndQuery))).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void base64DataAndPlainParametersBothStoreTheEventAndAnswerAnUncachedGif() throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      String json = "{\"writeKey\":\"" + TestNode.WRITE_KEY + "\",\"event\":\"Email Opened\",\"userId\":\"u-1\","
          + "\"messageId\":\"px-1\",\"properties\":{\"campaign\":\"spring\"}}";
      String data = Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
      HttpResponse<byte[]> first = get(node, "/v1/pixel/track?data=" + data);
      assertEquals(200, first.statusCode());
      assertEquals("image/gif", first.headers().firstValue("Content-Type").orElse(""));
      assertTrue(first.headers().firstValue("Cache-Control").orElse("").contains("no-store"));
      assertArrayEquals(GIF, first.body());

      HttpResponse<byte[]> second = get(node, "/v1/pixel/track?writeKey=" + TestNode.WRITE_KEY
          + "&event=" + URLEncoder.encode("Email Clicked", StandardCharsets.UTF_8)
          + "&anonymousId=a-7&messageId=px-2&properties.campaign=spring&context.campaign.source=newsletter");
      assertEquals(200, second.statusCode());

      JsonNode events = node.eventsUntil("?limit=10", e -> e.size() == 2);
      assertEquals(2, events.size(), events.toString());
      for (JsonNode e : events) {
        assertTrue(e.toString().contains("spring"), e.toString());
      }
      assertTrue(events.toString().contains("Email Opened") && events.toString().contains("Email Clicked"));
    }
  }

  @Test
  void failuresAreStillImagesWithTheReasonInAHeader() throws Exception {
    try (TestNode node = TestNode.start(dir)) {
      HttpResponse<byte[]> badKey = get(node, "/v1/pixel/track?writeKey=nope&event=X&anonymousId=a");
      assertEquals(401, badKey.statusCode());
      assertEquals("unauthorized", badKey.headers().firstValue("X-Trackside-Error").orElse(""));
      assertArrayEquals(GIF, badKey.body());
      HttpResponse<byte[]> badData = get(node, "/v1/pixel/track?data=!!not*base64!!");
      assertEquals(400, badData.statusCode());
      assertArrayEquals(GIF, badData.body());
      assertEquals(404, get(node, "/v1/pixel/nothing").statusCode());
    }
  }
}
