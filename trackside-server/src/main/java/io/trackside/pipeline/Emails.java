package io.trackside.pipeline;

/**
 * Finding e-mail addresses in text, by hand rather than with a regular expression: it runs over
 * every URL, title and property value, and a scan that stops at the first {@code @} it cannot
 * use costs next to nothing on the (usual) text without one. It recognises what people type and
 * what systems put in URLs ({@code name.surname+tag@mail.example.co.uk}); it does not try to
 * accept every address RFC 5322 allows (quoted local parts, IP literals).
 */
final class Emails {

  static final String REDACTED = "[redacted]";

  /** The local part as people write it; excludes =, &, ?, / so "key=a@b.com" finds only "a@b.com". */
  private static boolean isLocalChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'' || (c > 127 && Character.isLetterOrDigit(c));
  }

  private static boolean isDomainChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
        || (c > 127 && Character.isLetterOrDigit(c));
  }

  private Emails() {
  }

  /** True when the whole text (surrounding white space aside) is one e-mail address. */
  static boolean isEmail(String text) {
    return text != null && text.indexOf('@') >= 0 && isWhole(text, find(text, 0));
  }

  /** Whether an address {@link #find} returned spans the whole text, surrounding white space aside. */
  static boolean isWhole(String text, long found) {
    if (found < 0) {
      return false;
    }
    int start = 0;
    int end = text.length();
    while (start < end && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    return (int) (found >>> 32) == start && (int) found == end;
  }

  /** True when the text holds an e-mail address anywhere. */
  static boolean containsEmail(String text) {
    return text != null && text.indexOf('@') >= 0 && find(text, 0) >= 0;
  }

  /**
   * The first address at or after {@code from}: its start in the high and its end in the low
   * 32 bits, or -1. Packed into a long so that the scan allocates nothing.
   */
  static long find(String text, int from) {
    int at = text.indexOf('@', from);
    while (at >= 0) {
      int start = at;
      while (start > from && isLocalChar(text.charAt(start - 1))) {
        start--;
      }
      while (start < at && text.charAt(start) == '.') { // a sentence's full stop is not part of the address
        start++;
      }
      int end = at + 1;
      while (end < text.length() && isDomainChar(text.charAt(end))) {
        end++;
      }
      while (end > at + 1 && (text.charAt(end - 1) == '.' || text.charAt(end - 1) == '-')) {
        end--;
      }
      if (start < at && at - start <= 64 && plausibleDomain(text, at + 1, end)) {
        return ((long) start << 32) | end;
      }
      at = text.indexOf('@', at + 1);
    }
    return -1;
  }

  /** At least two labels, none empty, and a top-level label of two or more letters. */
  private static boolean plausibleDomain(String text, int start, int end) {
    if (end - start < 4 || end - start > 253) {
      return false;
    }
    int lastDot = -1;
    char previous = '.';
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c == '.') {
        if (previous == '.') {
          return false;
        }
        lastDot = i;
      }
      previous = c;
    }
    if (lastDot < 0 || end - lastDot - 1 < 2) {
      return false;
    }
    for (int i = lastDot + 1; i < end; i++) {
      if (!Character.isLetter(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** The text with every e-mail address replaced by {@link #REDACTED}; the same instance when there is none. */
  static String redact(String text) {
    if (text == null || text.indexOf('@') < 0) {
      return text;
    }
    long found = find(text, 0);
    if (found < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int copied = 0;
    while (found >= 0) {
      int start = (int) (found >>> 32);
      int end = (int) found;
      out.append(text, copied, start).append(REDACTED);
      copied = end;
      found = find(text, end);
    }
    return out.append(text, copied, text.length()).toString();
  }
}
