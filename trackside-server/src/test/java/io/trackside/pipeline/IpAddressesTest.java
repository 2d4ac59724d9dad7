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
  }
}
