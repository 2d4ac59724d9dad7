package io.trackside.sdk.servlet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * One address or CIDR block of trusted proxies ({@code 10.0.0.0/8}, {@code 127.0.0.1},
 * {@code fd00::/8}). Only IP literals: a host name here would mean a DNS lookup per request, and
 * a proxy's name says nothing about the address a request came from.
 */
final class AddressRange {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

  private final byte[] network;
  private final int prefix;

  private AddressRange(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** @throws IllegalArgumentException for anything but an IP address or CIDR block */
  static AddressRange parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    InetAddress address = literal(slash < 0 ? t : t.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("not an IP address or CIDR block: '" + text + "'");
    }
    int bits = address.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("bad prefix length in '" + text + "' (0 to " + bits + ")");
      }
    }
    return new AddressRange(address.getAddress(), prefix);
  }

  boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xFF << (8 - rest);
    return (a[full] & mask) == (network[full] & mask);
  }

  /**
   * The address an IP literal names, or null when the text is not one. Never resolves a name:
   * IPv4 is parsed here, and the JDK parses an IPv6 literal without a lookup.
   */
  static InetAddress literal(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      if (IPV4.matcher(text).matches()) {
        String[] parts = text.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
          int part = Integer.parseInt(parts[i]);
          if (part > 255) {
            return null;
          }
          bytes[i] = (byte) part;
        }
        return InetAddress.getByAddress(bytes);
      }
      if (text.indexOf(':') >= 0 && IPV6.matcher(text).matches()) {
        return InetAddress.getByName(text);
      }
    } catch (UnknownHostException e) {
      return null;
    }
    return null;
  }
}
