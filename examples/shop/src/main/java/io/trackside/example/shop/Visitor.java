package io.trackside.example.shop;

import jakarta.servlet.http.HttpServletRequest;

/** Who a server-side event is about: the shopper's anonymous id, address and browser. */
record Visitor(String anonymousId, String ip, String userAgent) {
  static Visitor of(HttpServletRequest request) {
    String userAgent = request.getHeader("User-Agent");
    return new Visitor((String) request.getAttribute(AnonymousIdFilter.ATTRIBUTE), request.getRemoteAddr(),
        userAgent == null ? "" : userAgent);
  }
}
