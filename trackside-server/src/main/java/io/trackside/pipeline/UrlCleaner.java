package io.trackside.pipeline;

import java.util.Locale;
import java.util.Set;

/**
 * Normalises URLs and removes personal data from them, without {@link java.net.URI} (which
 * rejects much of what browsers send, and costs more): scheme and host lower-case, user info,
 * default ports and the fragment removed, an empty path made "/", the path's case kept; in the
 * query, the values of parameters named in the scrub list and every value holding an e-mail
 * address become {@value Emails#REDACTED}; a path segment holding an e-mail address too. Every
 * other byte stays as sent (no re-encoding), so utm parameters and click ids survive for the
 * campaign step. One pass over the text; an unchanged part is not copied.
 */
final class UrlCleaner {

  private final Set<String> scrubNames;
  /** The scrub names by length, to test a name in place without allocating (the fast path). */
  private final String[][] scrubNamesByLength;

  /** @param scrubNames query parameter names whose values are always removed, lower-case */
  UrlCleaner(Set<String> scrubNames) {
    this.scrubNames = scrubNames;
    int longest = scrubNames.stream().mapToInt(String::length).max().orElse(0);
    this.scrubNamesByLength = new String[longest + 1][];
    for (int length = 0; length <= longest; length++) {
      int l = length;
      String[] names = scrubNames.stream().filter(n -> n.length() == l).toArray(String[]::new);
      scrubNamesByLength[length] = names.length == 0 ? null : names;
    }
  }

  /**
   * The cleaned URL; null for a blank one and for script-bearing schemes (javascript:, data:,
   * vbscript:), which are no page a visitor was on and would be a hazard wherever a URL is shown
   * as a link.
   */
  String clean(String url) {
    return url == null || alreadyClean(url) ? url : cleanFully(url);
  }

  /** {@link #clean} without the fast path for URLs that are already clean (tests compare the two). */
  String cleanFully(String url) {
    String u = url.strip();
    if (u.indexOf('\t') >= 0 || u.indexOf('\n') >= 0 || u.indexOf('\r') >= 0) {
      // Browsers drop these anywhere in a URL ("java\tscript:" is javascript:), so must we.
      u = u.replace("\t", "").replace("\n", "").replace("\r", "");
    }
    if (u.isEmpty()) {
      return null;
    }
    int schemeEnd = schemeEnd(u);
    StringBuilder out = new StringBuilder(u.length() + 8);
    int pos = 0;
    if (schemeEnd > 0) {
      String scheme = u.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
      if (scheme.equals("javascript") || scheme.equals("data") || scheme.equals("vbscript")) {
        return null;
      }
      out.append(scheme).append(':');
      pos = schemeEnd + 1;
      if (u.startsWith("//", pos)) {
        int authorityEnd = pos + 2;
        while (authorityEnd < u.length() && "/?#".indexOf(u.charAt(authorityEnd)) < 0) {
          authorityEnd++;
        }
        out.append("//");
        appendAuthority(out, scheme, u, pos + 2, authorityEnd);
        pos = authorityEnd;
        if (pos == u.length() || u.charAt(pos) != '/') {
          out.append('/'); // RFC 3986 6.2.3: an empty path with an authority is "/"
        }
      } else if (!scheme.equals("http") && !scheme.equals("https")) {
        // An opaque URI (mailto:, tel:, urn:): nothing to normalise, but it may be an address.
        int hash = u.indexOf('#', pos);
        String rest = u.substring(pos, hash < 0 ? u.length() : hash);
        return out.append(Emails.redact(rest)).toString();
      }
    }
    int pathEnd = pos;
    while (pathEnd < u.length() && u.charAt(pathEnd) != '?' && u.charAt(pathEnd) != '#') {
      pathEnd++;
    }
    out.append(cleanPath(u.substring(pos, pathEnd)));
    if (pathEnd < u.length() && u.charAt(pathEnd) == '?') {
      int queryEnd = u.indexOf('#', pathEnd);
      if (queryEnd < 0) {
        queryEnd = u.length();
      }
      if (queryEnd > pathEnd + 1) {
        out.append('?');
        appendQuery(out, u, pathEnd + 1, queryEnd);
      }
    }
    return out.toString(); // the fragment is dropped
  }

  /** A query string on its own (context.page.search), with or without its leading "?". */
  String cleanSearch(String search) {
    if (search == null || search.isEmpty()) {
      return search;
    }
    if (search.indexOf('#') < 0 && queryAlreadyClean(search, search.charAt(0) == '?' ? 1 : 0)) {
      return search;
    }
    int hash = search.indexOf('#');
    int end = hash < 0 ? search.length() : hash;
    int start = search.charAt(0) == '?' ? 1 : 0;
    StringBuilder out = new StringBuilder(search.length());
    if (start == 1) {
      out.append('?');
    }
    appendQuery(out, search, start, end);
    String cleaned = out.toString();
    return cleaned.equals(search) ? search : cleaned;
  }

  /** A path (or path-only field such as context.page.path) with e-mail segments and scrubbed matrix parameters replaced. */
  String cleanPath(String path) {
    if (path == null || (path.indexOf('@') < 0 && path.indexOf('%') < 0 && path.indexOf(';') < 0)) {
      return path;
    }
    StringBuilder out = null;
    int segmentStart = 0;
    while (segmentStart <= path.length()) {
      int slash = path.indexOf('/', segmentStart);
      int segmentEnd = slash < 0 ? path.length() : slash;
      String segment = path.substring(segmentStart, segmentEnd);
      String cleaned = cleanSegment(segment);
      if (cleaned != segment && out == null) {
        out = new StringBuilder(path.length()).append(path, 0, segmentStart);
      }
      if (out != null) {
        out.append(cleaned);
        if (slash >= 0) {
          out.append('/');
        }
      }
      if (slash < 0) {
        break;
      }
      segmentStart = slash + 1;
    }
    return out == null ? path : out.toString();
  }

  private String cleanSegment(String segment) {
    if (segment.indexOf('@') >= 0 || segment.indexOf('%') >= 0) {
      String decoded = segment.indexOf('%') >= 0 ? CampaignFields.decode(segment) : segment;
      if (Emails.containsEmail(decoded)) {
        return Emails.REDACTED;
      }
    }
    int semicolon = segment.indexOf(';');
    if (semicolon < 0) {
      return segment;
    }
    // Matrix parameters such as ;jsessionid=... are scrubbed by the same names as the query.
    StringBuilder out = new StringBuilder(segment.length()).append(segment, 0, semicolon);
    boolean changed = false;
    int start = semicolon + 1;
    while (start <= segment.length()) {
      int next = segment.indexOf(';', start);
      int end = next < 0 ? segment.length() : next;
      int eq = segment.indexOf('=', start);
      out.append(';');
      if (eq > start && eq < end && scrubNames.contains(segment.substring(start, eq).toLowerCase(Locale.ROOT))) {
        out.append(segment, start, eq + 1).append(Emails.REDACTED);
        changed = true;
      } else {
        out.append(segment, start, end);
      }
      if (next < 0) {
        break;
      }
      start = next + 1;
    }
    return changed ? out.toString() : segment;
  }

  private void appendQuery(StringBuilder out, String s, int start, int end) {
    int pairStart = start;
    while (pairStart <= end) {
      int amp = s.indexOf('&', pairStart);
      int pairEnd = amp < 0 || amp > end ? end : amp;
      appendPair(out, s, pairStart, pairEnd);
      if (pairEnd >= end) {
        break;
      }
      out.append('&');
      pairStart = pairEnd + 1;
    }
  }

  private void appendPair(StringBuilder out, String s, int start, int end) {
    int eq = s.indexOf('=', start);
    if (eq < 0 || eq >= end) {
      out.append(s, start, end); // a bare flag ("?debug") carries no value to scrub
      return;
    }
    String name = s.substring(start, eq);
    if (needsDecoding(name)) {
      name = CampaignFields.decode(name);
    }
    boolean scrub = scrubNames.contains(name.toLowerCase(Locale.ROOT));
    if (!scrub && eq + 1 < end) {
      String value = s.substring(eq + 1, end);
      scrub = Emails.containsEmail(needsDecoding(value) ? CampaignFields.decode(value) : value);
    }
    out.append(s, start, eq + 1);
    if (scrub) {
      out.append(Emails.REDACTED);
    } else {
      out.append(s, eq + 1, end);
    }
  }

  /**
   * Whether {@link #clean} would return this http(s) URL unchanged, decided in one pass without
   * allocating: most URLs are already clean, and this is the hot path.
   */
  private boolean alreadyClean(String u) {
    int n = u.length();
    int i;
    if (u.startsWith("https://")) {
      i = 8;
    } else if (u.startsWith("http://")) {
      i = 7;
    } else {
      return false;
    }
    int hostStart = i;
    while (i < n && u.charAt(i) != '/') {
      char c = u.charAt(i);
      if (c == '?' || c == '#' || c == '@' || c == '[' || c == ':' || c <= ' ' || (c >= 'A' && c <= 'Z')) {
        return false; // a port, user info, an IPv6 literal or no path: the slow path decides
      }
      i++;
    }
    if (i == n || i == hostStart) {
      return false;
    }
    while (i < n && u.charAt(i) != '?') {
      char c = u.charAt(i);
      if (c == '#' || c == '@' || c == ';' || c <= ' ' || (c == '%' && encodedAt(u, i))) {
        return false;
      }
      i++;
    }
    return i == n || (i < n - 1 && queryAlreadyClean(u, i + 1));
  }

  /** The query from {@code start} to the end holds no fragment, no e-mail and no scrubbed or encoded name. */
  private boolean queryAlreadyClean(String s, int start) {
    int n = s.length();
    int nameStart = start;
    boolean inName = true;
    for (int i = start; i <= n; i++) {
      char c = i < n ? s.charAt(i) : '&';
      if (c == '&') {
        if (inName && isScrubName(s, nameStart, i)) {
          return false;
        }
        nameStart = i + 1;
        inName = true;
      } else if (c == '=' && inName) {
        if (isScrubName(s, nameStart, i)) {
          return false;
        }
        inName = false;
      } else if (c == '#' || c == '@' || c <= ' ' || (c == '%' && (inName || encodedAt(s, i))) || (c == '+' && inName)) {
        return false;
      }
    }
    return true;
  }

  /** "%40" (an encoded "@") at i. */
  private static boolean encodedAt(String s, int i) {
    return i + 2 < s.length() && s.charAt(i + 1) == '4' && s.charAt(i + 2) == '0';
  }

  private boolean isScrubName(String s, int start, int end) {
    int length = end - start;
    String[] names = length < scrubNamesByLength.length ? scrubNamesByLength[length] : null;
    if (names != null) {
      for (String name : names) {
        if (s.regionMatches(true, start, name, 0, length)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean needsDecoding(String text) {
    return text.indexOf('%') >= 0 || text.indexOf('+') >= 0;
  }

  /** Drops user info (it can hold a name or a password), lower-cases the host, drops the scheme's default port. */
  private static void appendAuthority(StringBuilder out, String scheme, String u, int start, int end) {
    int at = u.lastIndexOf('@', end - 1);
    if (at >= start) {
      start = at + 1;
    }
    int portColon = -1;
    if (start < end && u.charAt(start) == '[') { // IPv6 literal
      int close = u.indexOf(']', start);
      if (close > 0 && close < end && close + 1 < end && u.charAt(close + 1) == ':') {
        portColon = close + 1;
      }
    } else {
      int colon = u.lastIndexOf(':', end - 1);
      portColon = colon >= start ? colon : -1;
    }
    int hostEnd = portColon >= 0 ? portColon : end;
    out.append(u.substring(start, hostEnd).toLowerCase(Locale.ROOT));
    if (portColon >= 0) {
      String port = u.substring(portColon + 1, end);
      boolean defaultPort = port.isEmpty()
          || (port.equals("80") && (scheme.equals("http") || scheme.equals("ws")))
          || (port.equals("443") && (scheme.equals("https") || scheme.equals("wss")));
      if (!defaultPort) {
        out.append(':').append(port);
      }
    }
  }

  /** The index of the ':' ending a scheme (a letter, then letters, digits, + - .), or -1. */
  private static int schemeEnd(String u) {
    if (u.isEmpty() || !isAsciiLetter(u.charAt(0))) {
      return -1;
    }
    for (int i = 1; i < u.length() && i < 40; i++) {
      char c = u.charAt(i);
      if (c == ':') {
        return i;
      }
      if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
        return -1;
      }
    }
    return -1;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
