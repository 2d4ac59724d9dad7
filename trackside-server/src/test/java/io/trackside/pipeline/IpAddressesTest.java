package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IpAddressesTest {

  @Test
  void ipv4KeepsItsSlash24() {
    assertThat(IpAddresses.truncate("203.0.113.77")).isEqualTo("203.0.113.0");
    assertThat(IpAddresses.truncate(" 10.1.2.3 ")).isEqualTo("10.1.2.0");
  }

  @Test
  void ipv6KeepsItsSlash48() {
    assertThat(IpAddresses.truncate("2001:db8:85a3:8d3:1319:8a2e:370:7348")).isEqualTo("2001:db8:85a3::");
    assertThat(IpAddresses.truncate("2001:DB8::1")).isEqualTo("2001:db8::");
    assertThat(IpAddresses.truncate("[2001:db8:1:2::3]")).isEqualTo("2001:db8:1::");
    assertThat(IpAddresses.truncate("fe80::1%eth0")).isEqualTo("fe80::");
    assertThat(IpAddresses.truncate("::1")).isEqualTo("::");
  }

  @Test
  void ipv4MappedIpv6IsTreatedAsIpv4() {
    assertThat(IpAddresses.truncate("::ffff:198.51.100.23")).isEqualTo("198.51.100.0");
  }

  @Test
  void whatIsNotAnIpLiteralIsDropped() {
    assertThat(IpAddresses.truncate(null)).isNull();
    assertThat(IpAddresses.truncate("")).isNull();
    assertThat(IpAddresses.truncate("256.1.1.1")).isNull();
    assertThat(IpAddresses.truncate("1.2.3")).isNull();
    assertThat(IpAddresses.truncate("example.com")).isNull();
    assertThat(IpAddresses.truncate("203.0.113.7, 10.0.0.1")).isNull();
    assertThat(IpAddresses.truncate("1:2:3")).isNull();
    assertThat(IpAddresses.truncate(".:1")).isNull();
    assertThat(IpAddresses.truncate("٨.٨.٨.٨")).as("Arabic-Indic digits are no IP literal").isNull();
    for (String odd : java.util.List.of("1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4.5", "1.2.3.0004", "+1.2.3.4", "1.2.3.-4", "1 .2.3.4")) {
      assertThat(IpAddresses.truncate(odd)).as(odd).isNull();
    }
    assertThat(IpAddresses.truncate("001.002.003.004")).isEqualTo("1.2.3.0");
    assertThat(IpAddresses.truncate("::١")).isNull();
  }

  @Test
  void parseNamesTheAddressOfALiteralAndNothingElse() {
    assertThat(IpAddresses.parse("193.99.144.80").getHostAddress()).isEqualTo("193.99.144.80");
    assertThat(IpAddresses.parse(" [2a02:2e0:3fe:1001:302::] ").getHostAddress()).isEqualTo("2a02:2e0:3fe:1001:302:0:0:0");
    assertThat(IpAddresses.parse("::ffff:193.99.144.80").getAddress()).hasSize(4);
    assertThat(IpAddresses.parse("localhost")).isNull();
    assertThat(IpAddresses.parse("example.com")).isNull();
    assertThat(IpAddresses.parse(null)).isNull();
  }

  @Test
  void theIpv6ParserAgreesWithTheJdkOnEveryTextFormOfRandomAddresses() throws Exception {
    java.util.Random random = new java.util.Random(5952);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[16];
      random.nextBytes(bytes);
      for (int g = 0; g < 8; g++) { // runs of zero groups, so that "::" appears in many places
        if (random.nextInt(3) == 0) {
          bytes[2 * g] = 0;
          bytes[2 * g + 1] = 0;
        }
      }
      java.net.InetAddress expected = java.net.InetAddress.getByAddress(bytes);
      String full = expected.getHostAddress();                     // 2001:db8:0:0:0:0:0:1 (or a.b.c.d when mapped)
      for (String text : java.util.List.of(full, full.toUpperCase(java.util.Locale.ROOT), compressAny(bytes, random),
          compressAny(bytes, random) + "%eth0", "[" + compressAny(bytes, random) + "]", withDottedTail(bytes))) {
        assertThat(IpAddresses.parse(text)).as(text).isEqualTo(expected);
      }
    }
  }

  @Test
  void malformedIpv6IsNoAddress() {
    for (String bad : java.util.List.of(":", ":::", "1:2", "1:", ":1", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "g::1", "1:2:3:4:5:6:7", "::ffff:1.2.3",
        "::ffff:1.2.3.256", "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "::-1", " ::1x", "::1\u00a0")) {
      assertThat(IpAddresses.parse(bad)).as(bad).isNull();
    }
    assertThat(IpAddresses.parse("1:2:3:4:5:6::7")).as(":: for one zero group").isNotNull();
    assertThat(IpAddresses.parse("::")).isNotNull();
    assertThat(IpAddresses.parse("::1.2.3.4").getAddress()).hasSize(16);
  }

  /** The address with one random run of zero groups (if any) written as "::". */
  private static String compressAny(byte[] bytes, java.util.Random random) {
    String[] groups = new String[8];
    for (int g = 0; g < 8; g++) {
      groups[g] = Integer.toHexString(((bytes[2 * g] & 0xff) << 8) | (bytes[2 * g + 1] & 0xff));
    }
    java.util.List<int[]> runs = new java.util.ArrayList<>();
    for (int g = 0; g < 8; g++) {
      for (int end = g; end < 8 && groups[end].equals("0"); end++) {
        runs.add(new int[] {g, end + 1});
      }
    }
    if (runs.isEmpty()) {
      return String.join(":", groups);
    }
    int[] run = runs.get(random.nextInt(runs.size()));
    return String.join(":", java.util.Arrays.copyOfRange(groups, 0, run[0])) + "::"
        + String.join(":", java.util.Arrays.copyOfRange(groups, run[1], 8));
  }

  /** The full form with the last 32 bits as a dotted quad. */
  private static String withDottedTail(byte[] b) {
    StringBuilder text = new StringBuilder();
    for (int g = 0; g < 6; g++) {
      text.append(Integer.toHexString(((b[2 * g] & 0xff) << 8) | (b[2 * g + 1] & 0xff))).append(':');
    }
    return text.append(b[12] & 0xff).append('.').append(b[13] & 0xff).append('.').append(b[14] & 0xff).append('.')
        .append(b[15] & 0xff).toString();
  }

  @Test
  void publicAddressesAreTellableFromPrivateAndReservedOnes() {
    for (String ip : java.util.List.of("8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "192.0.1.1", "198.20.0.1",
        "203.0.114.1", "223.255.255.1", "2a02:2e0:3fe:1001:302::", "2001:4860:4860::8888", "::ffff:8.8.8.8")) {
      assertThat(IpAddresses.isPublic(IpAddresses.parse(ip))).as(ip).isTrue();
    }
    for (String ip : java.util.List.of("0.1.2.3", "10.0.0.1", "100.64.0.1", "100.127.255.254", "127.0.0.1", "169.254.169.254",
        "172.16.0.1", "172.31.255.1", "192.0.0.8", "192.0.2.1", "192.168.0.1", "198.18.0.1", "198.19.255.1",
        "198.51.100.1", "203.0.113.1", "224.0.0.251", "240.0.0.1", "255.255.255.255",
        "::", "::1", "::10.0.0.1", "fe80::1", "febf::1", "fc00::1", "fdff::1", "ff02::1", "2001:db8::1", "::ffff:10.0.0.1")) {
      assertThat(IpAddresses.isPublic(IpAddresses.parse(ip))).as(ip).isFalse();
    }
  }
}
