package io.trackside.sdk.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressRangeTest {

  private static boolean in(String range, String address) {
    return AddressRange.parse(range).contains(AddressRange.literal(address));
  }

  @Test
  void matchesIpv4AndIpv6BlocksAndSingleAddresses() {
    assertThat(in("10.0.0.0/8", "10.255.1.2")).isTrue();
    assertThat(in("10.0.0.0/8", "11.0.0.1")).isFalse();
    assertThat(in("172.16.0.0/12", "172.31.255.255")).isTrue();
    assertThat(in("172.16.0.0/12", "172.32.0.0")).isFalse();
    assertThat(in("192.168.1.7", "192.168.1.7")).isTrue();
    assertThat(in("192.168.1.7", "192.168.1.8")).isFalse();
    assertThat(in("0.0.0.0/0", "203.0.113.9")).isTrue();
    assertThat(in("fd00::/8", "fd12:3456::1")).isTrue();
    assertThat(in("fd00::/8", "fe80::1")).isFalse();
    assertThat(in("::1", "0:0:0:0:0:0:0:1")).isTrue();
    assertThat(in("10.0.0.0/8", "::1")).as("families differ").isFalse();
    assertThat(in("10.0.0.0/8", "::ffff:10.1.2.3")).as("an IPv4-mapped address is IPv4").isTrue();
  }

  @Test
  void refusesNamesAndNonsenseInsteadOfLookingThemUp() {
    for (String bad : new String[] {"proxy.internal", "localhost", "10.0.0.0/33", "256.1.1.1", "10.0.0/8", "::1/129", "", "1.2.3.4/x"}) {
      assertThatThrownBy(() -> AddressRange.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(AddressRange.literal("example.com")).isNull();
    assertThat(AddressRange.literal("1.2.3")).isNull();
  }

  @Test
  void readsProxyEntriesWithPortsBracketsAndQuotes() throws Exception {
    assertThat(ForwardedHeaders.hopAddress("198.51.100.7")).isEqualTo(InetAddress.getByName("198.51.100.7"));
    assertThat(ForwardedHeaders.hopAddress(" 198.51.100.7:4711 ")).isEqualTo(InetAddress.getByName("198.51.100.7"));
    assertThat(ForwardedHeaders.hopAddress("\"[2001:db8::7]:4711\"")).isEqualTo(InetAddress.getByName("2001:db8::7"));
    assertThat(ForwardedHeaders.hopAddress("2001:db8::7")).isEqualTo(InetAddress.getByName("2001:db8::7"));
    assertThat(ForwardedHeaders.hopAddress("unknown")).isNull();
    assertThat(ForwardedHeaders.hopAddress("_hidden")).isNull();
    assertThat(ForwardedHeaders.hopAddress("evil.example")).isNull();
  }
}
