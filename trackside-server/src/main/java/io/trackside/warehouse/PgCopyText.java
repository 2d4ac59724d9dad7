package io.trackside.warehouse;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Rows in PostgreSQL's COPY text format: fields separated by tabs, rows ended by a newline,
 * {@code \N} for null, and backslash, tab, newline and carriage return escaped with a backslash
 * (so a value that reads {@code \N} is stored as that text, not as null).
 *
 * <p>A PostgreSQL text value cannot hold U+0000 at all. {@link #field} refuses it (the event goes
 * to the quarantine as unstorable, where a replay can still see it); {@link #lossyField}, used
 * for the quarantine's own rows, replaces it with U+FFFD, as the quarantine already does for
 * invalid UTF-8. Unpaired surrogates cannot be encoded as UTF-8 and become U+FFFD in both.
 */
final class PgCopyText {

  /** The earliest instant a PostgreSQL timestamp holds: 4713 BC (ISO year -4712), January 1st. */
  private static final LocalDateTime EARLIEST = LocalDateTime.of(-4712, 1, 1, 0, 0);

  private final StringBuilder out = new StringBuilder(1 << 16);
  private boolean rowStarted;

  /** Thrown for a value PostgreSQL cannot store; the caller quarantines the event. */
  static final class UnstorableValue extends IllegalArgumentException {
    UnstorableValue(String message) {
      super(message);
    }
  }

  /** The value with U+0000 replaced by U+FFFD, for a bound parameter of a quarantine row. */
  static String lossy(String value) {
    return value == null ? null : value.replace('\u0000', '\uFFFD');
  }

  int length() {
    return out.length();
  }

  /** The text so far, and forgets it (for streaming a large batch in pieces). */
  String drain() {
    String text = out.toString();
    out.setLength(0);
    return text;
  }

  /** Drops a row begun but not ended (its values turned out to be unstorable). */
  void discardFrom(int length) {
    out.setLength(length);
    rowStarted = false;
  }

  void endRow() {
    out.append('\n');
    rowStarted = false;
  }

  PgCopyText field(String value) {
    return text(value, false);
  }

  PgCopyText lossyField(String value) {
    return text(value, true);
  }

  PgCopyText field(Number value) {
    separator();
    out.append(value == null ? "\\N" : value.toString());
    return this;
  }

  PgCopyText field(Boolean value) {
    separator();
    out.append(value == null ? "\\N" : value ? "t" : "f");
    return this;
  }

  /** A UTC instant given as epoch microseconds, for a {@code timestamp} column. */
  PgCopyText timestampMicros(Long micros) {
    separator();
    if (micros == null) {
      out.append("\\N");
      return this;
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1_000, ZoneOffset.UTC);
    if (t.isBefore(EARLIEST)) {
      throw new UnstorableValue("timestamp " + t + " is before PostgreSQL's earliest (4713 BC)");
    }
    // ISO years 0, -1, ... are 1 BC, 2 BC, ... in PostgreSQL's input.
    int year = t.getYear();
    int shownYear = year > 0 ? year : 1 - year;
    String digits = Integer.toString(shownYear);
    out.append("0000", 0, Math.max(0, 4 - digits.length())).append(digits);
    appendAfterYear(t);
    if (year <= 0) {
      out.append(" BC");
    }
    return this;
  }

  private void appendAfterYear(LocalDateTime t) {
    out.append('-').append(two(t.getMonthValue())).append('-').append(two(t.getDayOfMonth()))
        .append(' ').append(two(t.getHour())).append(':').append(two(t.getMinute())).append(':')
        .append(two(t.getSecond()));
    int micros = t.getNano() / 1_000;
    if (micros != 0) {
      String fraction = Integer.toString(1_000_000 + micros).substring(1);
      out.append('.').append(fraction);
    }
  }

  private static String two(int n) {
    return n < 10 ? "0" + n : Integer.toString(n);
  }

  private void separator() {
    if (rowStarted) {
      out.append('\t');
    }
    rowStarted = true;
  }

  private PgCopyText text(String value, boolean lossy) {
    separator();
    if (value == null) {
      out.append("\\N");
      return this;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\u0000' -> {
          if (!lossy) {
            throw new UnstorableValue("PostgreSQL text cannot hold U+0000 (at character " + i + ")");
          }
          out.append('\uFFFD');
        }
        default -> {
          if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
            out.append(c).append(value.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            out.append('\uFFFD'); // unpaired: no UTF-8 for it
          } else {
            out.append(c);
          }
        }
      }
    }
    return this;
  }
}
