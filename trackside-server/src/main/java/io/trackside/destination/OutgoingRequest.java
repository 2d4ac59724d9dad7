package io.trackside.destination;

import java.net.URI;
import java.util.Map;

/** An HTTP request to a platform; the engine sends it, with its own timeout and retries. */
public record OutgoingRequest(String method, URI uri, Map<String, String> headers, byte[] body) {

  public static OutgoingRequest postJson(URI uri, byte[] body) {
    return new OutgoingRequest("POST", uri, Map.of("Content-Type", "application/json"), body);
  }
}
