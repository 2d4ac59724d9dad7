package io.trackside.pipeline;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Truncates client addresses before they are stored (promise 5: private by default). A /24 or
 * /48 still tells the country and usually the network, which is what analytics needs, but no
 * longer points at one household.
 */
final class IpAddresses {

  private IpAddresses() {
  }

  /**
   * IPv4 to its /24 ("203.0.113.0"), IPv6 to its /48 ("2001:db8:85a3::"), an IPv4-mapped IPv6
   * address as the IPv4 it is. Anything that is not an IP literal gives null: an unparsed string
   * might be a raw address in a form we failed to recognise, so it is never stored.
   */
  static String truncate(String text) {
    byte[] v4 = text == null ? null : parseIpv4(text.trim()); // the common case, without an InetAddress
    if (v4 != null) {
      return (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "." + (v4[2] & 0xff) + ".0";
    }
    InetAddress address = parse(text);
    if (address == null) {
      return null;
    }
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) { // also ::ffff:a.b.c.d, an IPv4 client behind a dual-stack socket
      return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + ".0";
    }
    for (int i = 6; i < 16; i++) {
      bytes[i] = 0;
    }
    try {
      return compress(InetAddress.getByAddress(bytes).getHostAddress());
    } catch (UnknownHostException e) {
      return null; // cannot happen for 16 bytes
    }
  }

  /**
   * The address an IP literal names (IPv4, IPv6, "[v6]", "v6%zone"; an IPv4-mapped IPv6 address
   * gives the IPv4 one), or null for anything else. Parsed by hand and only wrapped by
   * {@link InetAddress#getByAddress}: {@link InetAddress#getByName} would start a DNS lookup on
   * the hot path for anything that is not a literal.
   */
  static InetAddress parse(String text) {
    if (text == null) {
      return null;
    }
    String ip = text.trim();
    byte[] v4 = parseIpv4(ip);
    if (v4 != null) {
      try {
        return InetAddress.getByAddress(v4);
      } catch (UnknownHostException e) {
        return null; // cannot happen for 4 bytes
      }
    }
    if (ip.startsWith("[") && ip.endsWith("]")) {
      ip = ip.substring(1, ip.length() - 1);
    }
    int zone = ip.indexOf('%');
    if (zone >= 0) {
      ip = ip.substring(0, zone);
    }
    byte[] v6 = parseIpv6(ip);
    if (v6 == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(v6); // ::ffff:a.b.c.d comes back as the IPv4 address
    } catch (UnknownHostException e) {
      return null; // cannot happen for 16 bytes
    }
  }

  /**
   * False for addresses that never locate anyone on the public internet: private (RFC 1918, ULA
   * fc00::/7), shared CGNAT space (100.64.0.0/10), loopback, link-local, unspecified, multicast,
   * the documentation and benchmarking ranges and the reserved 240.0.0.0/4. IP databases have no
   * business answering for them — and some do anyway (the npm build of geo-whois-asn-country
   * puts 192.168.0.0/16 in Australia).
   */
  static boolean isPublic(InetAddress address) {
    byte[] b = address.getAddress();
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    if (b.length == 4) {
      int a2 = b[2] & 0xff;
      return !(a0 == 0 || a0 == 10 || a0 == 127 || a0 >= 224
          || (a0 == 100 && (a1 & 0xc0) == 64)
          || (a0 == 169 && a1 == 254)
          || (a0 == 172 && (a1 & 0xf0) == 16)
          || (a0 == 192 && a1 == 168)
          || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2))
          || (a0 == 198 && (a1 & 0xfe) == 18)
          || (a0 == 198 && a1 == 51 && a2 == 100)
          || (a0 == 203 && a1 == 0 && a2 == 113));
    }
    boolean leadingZeros = true; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
    for (int i = 0; i < 12; i++) {
      leadingZeros &= b[i] == 0;
    }
    return !(leadingZeros
        || (a0 & 0xfe) == 0xfc                                  // fc00::/7 unique local
        || a0 == 0xfe && (a1 & 0xc0) == 0x80                    // fe80::/10 link-local
        || a0 == 0xff                                           // multicast
        || a0 == 0x20 && a1 == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8); // 2001:db8::/32
  }

  /** Dotted-quad IPv4 ("203.0.113.7", no leading "+", at most 3 ASCII digits a part), or null; by hand: it runs for every event. */
  private static byte[] parseIpv4(String ip) {
    int length = ip.length();
    if (length < 7 || length > 15) {
      return null;
    }
    byte[] bytes = new byte[4];
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = 0; i < length; i++) {
      char c = ip.charAt(i);
      if (c >= '0' && c <= '9') { // ASCII only: Character.isDigit would also take "٨" (Arabic-Indic eight)
        value = value * 10 + (c - '0');
        if (++digits > 3 || value > 255) {
          return null;
        }
      } else if (c == '.' && digits > 0 && part < 3) {
        bytes[part++] = (byte) value;
        value = 0;
        digits = 0;
      } else {
        return null;
      }
    }
    if (part != 3 || digits == 0) {
      return null;
    }
    bytes[3] = (byte) value;
    return bytes;
  }

  /**
   * An IPv6 literal (RFC 4291 text forms: eight groups of 1-4 hex digits, one "::" for a run of
   * zero groups, an IPv4 dotted quad as the last 32 bits), or null. By hand rather than through
   * InetAddress.getByName, which costs several times as much and, given a non-literal, resolves it.
   */
  static byte[] parseIpv6(String s) {
    int n = s.length();
    if (n < 2 || n > 45) {
      return null;
    }
    int[] groups = new int[8];
    int count = 0;
    int gap = -1; // where "::" stands, as a group index
    int i = 0;
    if (s.charAt(0) == ':') {
      if (s.charAt(1) != ':') {
        return null;
      }
      gap = 0;
      i = 2;
    }
    while (i < n) {
      int start = i;
      int value = 0;
      while (i < n && i - start < 5 && hexValue(s.charAt(i)) >= 0) {
        value = (value << 4) | hexValue(s.charAt(i));
        i++;
      }
      if (i < n && s.charAt(i) == '.') { // the last 32 bits as a dotted quad
        byte[] v4 = count <= 6 ? parseIpv4(s.substring(start)) : null;
        if (v4 == null) {
          return null;
        }
        groups[count++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
        groups[count++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
        break;
      }
      if (i == start || i - start > 4 || count == 8) {
        return null;
      }
      groups[count++] = value;
      if (i == n) {
        break;
      }
      if (s.charAt(i) != ':' || i + 1 == n) {
        return null; // not a separator, or a single trailing colon
      }
      i++;
      if (s.charAt(i) == ':') {
        if (gap >= 0) {
          return null; // a second "::"
        }
        gap = count;
        i++;
      }
    }
    if (gap < 0 ? count != 8 : count > 7) {
      return null;
    }
    byte[] bytes = new byte[16];
    int zeros = 8 - count;
    for (int g = 0, out = 0; g < count; g++, out++) {
      if (g == gap) {
        out += zeros;
      }
      bytes[out * 2] = (byte) (groups[g] >>> 8);
      bytes[out * 2 + 1] = (byte) groups[g];
    }
    return bytes;
  }

  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** Java prints "2001:db8:85a3:0:0:0:0:0"; RFC 5952 says "2001:db8:85a3::". */
  private static String compress(String full) {
    String[] groups = full.split(":");
    int bestStart = -1;
    int bestLength = 0;
    for (int i = 0; i < groups.length; ) {
      if (groups[i].equals("0")) {
        int j = i;
        while (j < groups.length && groups[j].equals("0")) {
          j++;
        }
        if (j - i > bestLength && j - i > 1) {
          bestStart = i;
          bestLength = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    if (bestStart < 0) {
      return full;
    }
    String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
    String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
    return head + "::" + tail;
  }
}
