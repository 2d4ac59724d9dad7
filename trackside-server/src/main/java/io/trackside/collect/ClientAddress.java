package io.trackside.collect;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

/**
 * The client's IP: the socket peer, or — only when the operator says a trusted reverse proxy sits
 * in front — the first address of X-Forwarded-For (a client could forge it otherwise).
 */
public final class ClientAddress {
  private final boolean trustForwardedFor;

  public ClientAddress(boolean trustForwardedFor) {
    this.trustForwardedFor = trustForwardedFor;
  }

  public String of(HttpServerRequest request) {
    if (trustForwardedFor) {
      String forwarded = request.getHeader("X-Forwarded-For");
      if (forwarded != null && !forwarded.isBlank()) {
        int comma = forwarded.indexOf(',');
        String first = (comma >= 0 ? forwarded.substring(0, comma) : forwarded).trim();
        if (!first.isEmpty() && first.length() <= 64) {
          return first;
        }
      }
    }
    SocketAddress remote = request.remoteAddress();
    return remote == null ? null : remote.hostAddress();
  }
}
