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
    if (text == null) {
      return null;
    }
    String ip = text.trim();
    byte[] v4 = parseIpv4(ip);
    if (v4 != null) {
      return (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "." + (v4[2] & 0xff) + ".0";
    }
    if (ip.startsWith("[") && ip.endsWith("]")) {
      ip = ip.substring(1, ip.length() - 1);
    }
    int zone = ip.indexOf('%');
    if (zone >= 0) {
      ip = ip.substring(0, zone);
    }
    // Only hand InetAddress what it will certainly parse as an IPv6 literal (hex digits, colons,
    // dots; starting with a hex digit or a colon): given anything else it starts a DNS lookup.
    if (ip.indexOf(':') < 0 || ip.charAt(0) == '.'
        || !ip.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
    if (bytes.length == 4) { // ::ffff:a.b.c.d is an IPv4 client behind a dual-stack socket
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

  private static byte[] parseIpv4(String ip) {
    String[] parts = ip.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        return null;
      }
      int value = Integer.parseInt(p);
      if (value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    return bytes;
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
