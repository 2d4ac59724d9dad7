package io.trackside.sdk.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Who the visitor is and which URL they asked for, when the application runs behind proxies:
 * {@code Forwarded} (RFC 7239) or else {@code X-Forwarded-For}/{@code -Proto}/{@code -Host} —
 * believed only when the request came from a configured trusted proxy, since anyone can send
 * these headers. Without trusted proxies the connection's address is the visitor's.
 *
 * <p>The client is found from the right: each proxy appends the address it got the request from,
 * so starting at the connection and stepping left while the address is a trusted proxy ends at
 * the first address no trusted proxy vouches for — a visitor's own made-up entries lie further
 * left and are never reached.
 */
final class ForwardedHeaders {
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+](:\\d{1,5})?");

  private final List<AddressRange> trusted;

  ForwardedHeaders(List<AddressRange> trusted) {
    this.trusted = List.copyOf(trusted);
  }

  /** The visitor's IP address. */
  String clientIp(HttpServletRequest request) {
    String client = request.getRemoteAddr();
    if (!trusted(client)) {
      return client;
    }
    List<String> hops = hops(request);
    for (int i = hops.size() - 1; i >= 0 && trusted(client); i--) {
      InetAddress hop = hopAddress(hops.get(i));
      if (hop == null) {
        break; // "unknown", an obfuscated id or garbage: the last trusted proxy knows no more
      }
      client = hop.getHostAddress();
    }
    return client;
  }

  /** The page's full URL as the visitor's browser had it (scheme and host from a trusted proxy). */
  String url(HttpServletRequest request) {
    String scheme = request.getScheme();
    String host = hostHeader(request);
    if (trusted(request.getRemoteAddr())) {
      String forwardedProto = forwardedParam(request, "proto");
      if (forwardedProto == null) {
        forwardedProto = firstValue(request, "X-Forwarded-Proto");
      }
      if (forwardedProto != null && (forwardedProto.equalsIgnoreCase("http") || forwardedProto.equalsIgnoreCase("https"))) {
        scheme = forwardedProto.toLowerCase(Locale.ROOT);
      }
      String forwardedHost = forwardedParam(request, "host");
      if (forwardedHost == null) {
        forwardedHost = firstValue(request, "X-Forwarded-Host");
      }
      if (forwardedHost != null && HOST.matcher(forwardedHost).matches()) {
        host = forwardedHost;
      }
    }
    StringBuilder url = new StringBuilder(scheme).append("://").append(host).append(request.getRequestURI());
    String query = request.getQueryString();
    if (query != null && !query.isEmpty()) {
      url.append('?').append(query);
    }
    return url.toString();
  }

  private static String hostHeader(HttpServletRequest request) {
    String host = request.getHeader("Host");
    if (host != null && HOST.matcher(host).matches()) {
      return host;
    }
    int port = request.getServerPort();
    boolean defaultPort = port <= 0 || ("http".equals(request.getScheme()) && port == 80)
        || ("https".equals(request.getScheme()) && port == 443);
    return request.getServerName() + (defaultPort ? "" : ":" + port);
  }

  private boolean trusted(String address) {
    if (trusted.isEmpty()) {
      return false;
    }
    InetAddress a = AddressRange.literal(address);
    if (a == null) {
      return false;
    }
    for (AddressRange range : trusted) {
      if (range.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /** The proxies' entries, leftmost (furthest from us) first: Forwarded's for=, else X-Forwarded-For. */
  private static List<String> hops(HttpServletRequest request) {
    List<String> hops = new ArrayList<>();
    List<String> forwarded = elements(request, "Forwarded");
    if (!forwarded.isEmpty()) {
      for (String element : forwarded) {
        String f = param(element, "for");
        hops.add(f == null ? "" : f);
      }
      return hops;
    }
    hops.addAll(elements(request, "X-Forwarded-For"));
    return hops;
  }

  /** An address as a proxy wrote it: {@code 1.2.3.4}, {@code 1.2.3.4:5678}, {@code [2001:db8::1]:80}, {@code 2001:db8::1}. */
  static InetAddress hopAddress(String hop) {
    String h = unquote(hop.trim());
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? null : AddressRange.literal(h.substring(1, end));
    }
    int colon = h.indexOf(':');
    if (colon >= 0 && colon == h.lastIndexOf(':')) {
      h = h.substring(0, colon); // IPv4 with a port
    }
    return AddressRange.literal(h);
  }

  /** The first element's parameter of the Forwarded header (proto=, host=), or null. */
  private static String forwardedParam(HttpServletRequest request, String name) {
    List<String> forwarded = elements(request, "Forwarded");
    return forwarded.isEmpty() ? null : param(forwarded.get(0), name);
  }

  private static String firstValue(HttpServletRequest request, String header) {
    List<String> values = elements(request, header);
    return values.isEmpty() ? null : values.get(0);
  }

  /** The comma-separated values of every line of a header, in order. */
  private static List<String> elements(HttpServletRequest request, String header) {
    List<String> values = new ArrayList<>();
    Enumeration<String> lines = request.getHeaders(header);
    while (lines != null && lines.hasMoreElements()) {
      for (String part : lines.nextElement().split(",")) {
        String v = part.trim();
        if (!v.isEmpty()) {
          values.add(v);
        }
      }
    }
    return values;
  }

  /** {@code for=192.0.2.60;proto=http;by=203.0.113.43} → the value of one pair, unquoted. */
  private static String param(String element, String name) {
    for (String pair : element.split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).trim().equalsIgnoreCase(name)) {
        return unquote(pair.substring(eq + 1).trim());
      }
    }
    return null;
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }
}
