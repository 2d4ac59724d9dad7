package io.trackside.collect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackside.core.IntakeException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The tracking pixel, for e-mails and pages without JavaScript: {@code GET /v1/pixel/<type>}
 * carrying one Segment event in the query string — {@code data=} base64 JSON (as Segment's pixel
 * API; standard or URL-safe alphabet) or plain parameters ({@code writeKey}, {@code event},
 * {@code userId}, {@code anonymousId}, {@code properties.campaign=spring}, ...). It always
 * answers a 1×1 transparent GIF that nobody caches — with 200 once the event is durable, or the
 * error status and an {@code X-Trackside-Error} header, since an image has no body to read.
 */
final class Pixel {
  static final String MARKER = "trackside.pixel";
  static final byte[] GIF = Base64.getDecoder().decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_DEPTH = 4;

  private Pixel() {
  }

  /** The event of a pixel request, as the JSON body the Segment intake reads. */
  static byte[] body(MultiMap query) throws IntakeException {
    String data = query.get("data");
    if (data != null) {
      try {
        String padded = data.strip();
        byte[] json = padded.indexOf('-') >= 0 || padded.indexOf('_') >= 0
            ? Base64.getUrlDecoder().decode(padded) : Base64.getMimeDecoder().decode(padded);
        return json;
      } catch (IllegalArgumentException e) {
        throw new IntakeException("invalid_pixel", "data= must be base64 of the event's JSON: " + e.getMessage());
      }
    }
    ObjectNode event = JSON.createObjectNode();
    for (Map.Entry<String, String> param : query) {
      String[] path = param.getKey().split("\\.");
      if (path.length > MAX_DEPTH || param.getKey().isEmpty()) {
        throw new IntakeException("invalid_pixel", "parameter " + param.getKey() + " is nested too deeply");
      }
      ObjectNode node = event;
      for (int i = 0; i < path.length - 1; i++) {
        JsonNode child = node.get(path[i]);
        node = child instanceof ObjectNode object ? object : node.putObject(path[i]);
      }
      node.put(path[path.length - 1], param.getValue());
    }
    return event.toString().getBytes(StandardCharsets.UTF_8);
  }

  static boolean isPixel(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(MARKER));
  }

  /** The image, with the outcome in the status and, for a failure, in a header. */
  static void answer(RoutingContext ctx, int status, String errorCode) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    var response = ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "image/gif")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache, no-store, must-revalidate, private")
        .putHeader("Pragma", "no-cache")
        .putHeader(HttpHeaders.EXPIRES, "0");
    if (errorCode != null) {
      response.putHeader("X-Trackside-Error", errorCode);
    }
    response.end(Buffer.buffer(GIF));
  }
}
