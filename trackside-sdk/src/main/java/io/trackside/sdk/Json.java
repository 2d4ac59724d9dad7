package io.trackside.sdk;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.Date;
import java.util.Map;
import java.util.Optional;

/**
 * The SDK's JSON writer: only serialisation is needed, and a dozen value types cover what
 * people put into properties and traits — so the SDK carries no JSON library (and no version
 * conflict with the application's).
 *
 * <p>Output is compact and byte for byte what Jackson's default writer makes of the same JSON,
 * because the server measures the 32 KB event limit on its own (Jackson) serialisation: control
 * characters and characters beyond the Basic Multilingual Plane (emoji) as six-character
 * escapes, other non-ASCII characters as UTF-8. A lone surrogate — a broken UTF-16
 * string, which has no UTF-8 form and which a database would refuse — becomes U+FFFD, as the
 * JDK's own encoder does. (Numbers the server re-reads as doubles may change length: the
 * per-event headroom covers that.)
 *
 * <p>Values: maps (keys by {@code String.valueOf}), iterables and arrays, strings and other
 * character sequences, numbers (NaN and infinities as {@code null}: JSON has no such numbers),
 * booleans, null, {@link Instant}/{@link Date} as ISO-8601 UTC, other dates and times, enums
 * and anything else as their string form.
 */
final class Json {
  /**
   * Deeper nesting is refused. The server takes 64 levels per request, and a batch request wraps
   * each event in two ({@code {"batch":[…]}}).
   */
  static final int MAX_DEPTH = 62;

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Json() {
  }

  /** @throws IllegalArgumentException when the value nests deeper than {@link #MAX_DEPTH} (or refers to itself) */
  static String write(Object value) {
    StringBuilder out = new StringBuilder(256);
    value(out, value, 0);
    return out.toString();
  }

  static void value(StringBuilder out, Object value, int depth) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof CharSequence s) {
      string(out, s);
    } else if (value instanceof Boolean b) {
      out.append(b.booleanValue());
    } else if (value instanceof Number n) {
      number(out, n);
    } else if (value instanceof Map<?, ?> map) {
      object(out, map, depth + 1);
    } else if (value instanceof Iterable<?> items) {
      enter(depth + 1);
      out.append('[');
      boolean first = true;
      for (Object item : items) {
        if (!first) {
          out.append(',');
        }
        first = false;
        value(out, item, depth + 1);
      }
      out.append(']');
    } else if (value.getClass().isArray()) {
      enter(depth + 1);
      out.append('[');
      int n = Array.getLength(value);
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          out.append(',');
        }
        value(out, Array.get(value, i), depth + 1);
      }
      out.append(']');
    } else if (value instanceof Instant instant) {
      string(out, timestamp(instant));
    } else if (value instanceof Date date) {
      string(out, timestamp(date.toInstant()));
    } else if (value instanceof Optional<?> optional) {
      value(out, optional.orElse(null), depth);
    } else if (value instanceof Enum<?> e) {
      string(out, e.name());
    } else if (value instanceof Character c) {
      string(out, String.valueOf(c.charValue()));
    } else if (value instanceof TemporalAccessor) {
      string(out, value.toString()); // OffsetDateTime, LocalDate, ...: their ISO-8601 form
    } else {
      string(out, String.valueOf(value));
    }
  }

  /** ISO-8601 in UTC to the millisecond, as Segment's libraries send it. */
  static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static void object(StringBuilder out, Map<?, ?> map, int depth) {
    enter(depth);
    out.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(out, String.valueOf(entry.getKey()));
      out.append(':');
      value(out, entry.getValue(), depth);
    }
    out.append('}');
  }

  private static void enter(int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH + " levels (or a map or list contains itself)");
    }
  }

  private static void number(StringBuilder out, Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
        || n instanceof BigInteger || n instanceof java.util.concurrent.atomic.AtomicInteger
        || n instanceof java.util.concurrent.atomic.AtomicLong) {
      out.append(n.toString());
    } else if (n instanceof BigDecimal d) {
      out.append(d.toString()); // "1E+3" is a JSON number too
    } else if (n instanceof Float f) {
      finite(out, f.isNaN() || f.isInfinite(), f.toString());
    } else {
      double d = n.doubleValue();
      finite(out, Double.isNaN(d) || Double.isInfinite(d), Double.toString(d));
    }
  }

  private static void finite(StringBuilder out, boolean notFinite, String text) {
    out.append(notFinite ? "null" : text);
  }

  static void string(StringBuilder out, CharSequence s) {
    out.append('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            escape(out, c);
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
              escape(out, c);
              escape(out, s.charAt(++i));
            } else {
              out.append('\uFFFD');
            }
          } else if (Character.isLowSurrogate(c)) {
            out.append('\uFFFD'); // a low surrogate without its high one
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void escape(StringBuilder out, char c) {
    out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
  }
}
