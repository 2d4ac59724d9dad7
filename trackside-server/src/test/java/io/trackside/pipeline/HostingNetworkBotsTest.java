package io.trackside.pipeline;

import static io.trackside.pipeline.TestGeoDatabases.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackside.core.EnrichedEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data-centre bot layer against the real ASN ranges of @ip-location-db/asn. */
class HostingNetworkBotsTest {

  @TempDir
  Path dir;

  /** Loaded once for the class (~0.5 s each time). */
  private static HostingNetworks defaults;

  @org.junit.jupiter.api.AfterAll
  static void close() {
    if (defaults != null) {
      defaults.close();
    }
  }

  private static HostingNetworks defaults() throws GeoDatabaseException {
    if (defaults == null) {
      defaults = open(Set.of());
    }
    return defaults;
  }

  private static HostingNetworks open(Set<Long> extra) throws GeoDatabaseException {
    Set<Long> asns = new HashSet<>(HostingNetworks.DEFAULT_ASNS.keySet());
    asns.addAll(extra);
    return HostingNetworks.open("test", TestGeoDatabases.require(TestGeoDatabases.ASN), asns);
  }

  private static EnrichedEvent run(HostingNetworkBots step, String ip) {
    EnrichedEvent e = event(ip);
    step.apply(e);
    return e;
  }

  @Test
  void addressesOfCloudProvidersAreFlaggedAsBots() throws Exception {
    {
      HostingNetworks networks = defaults();
      HostingNetworkBots step = new HostingNetworkBots(networks);
      for (String ip : List.of(
          "52.95.110.1",           // AWS, AS16509
          "3.5.140.2",             // AWS Seoul
          "35.190.0.1",            // Google Cloud, AS396982
          "20.50.2.1",             // Microsoft Azure, AS8075
          "167.99.1.1",            // DigitalOcean, AS14061
          "5.9.1.1",               // Hetzner, AS24940
          "51.75.1.1",             // OVH, AS16276
          "2600:1f00:5100::1")) {  // AWS over IPv6
        EnrichedEvent e = run(step, ip);
        assertThat(e.bot).as(ip).isTrue();
        assertThat(e.botReason).as(ip).isEqualTo("hosting_network");
      }
    }
  }

  @Test
  void homesPhonesAndProxiesOfRealPeopleAreNot() throws Exception {
    {
      HostingNetworks networks = defaults();
      HostingNetworkBots step = new HostingNetworkBots(networks);
      for (String ip : List.of(
          "77.159.250.1",   // SFR, a French ISP
          "193.99.144.80",  // Plus.line (heise)
          "1.1.1.1",        // Cloudflare: WARP and iCloud Private Relay carry people
          "10.0.0.1", "127.0.0.1", "::1", "not an ip", "")) {
        EnrichedEvent e = run(step, ip);
        assertThat(e.bot).as(ip).isFalse();
        assertThat(e.botReason).as(ip).isNull();
      }
    }
  }

  @Test
  void anEarlierBotLayersReasonStands() throws Exception {
    {
      HostingNetworks networks = defaults();
      HostingNetworkBots step = new HostingNetworkBots(networks);
      EnrichedEvent e = event("52.95.110.1");
      e.bot = true;
      e.botReason = "user_agent";
      step.apply(e);
      assertThat(e.bot).isTrue();
      assertThat(e.botReason).isEqualTo("user_agent");
    }
  }

  @Test
  void theOperatorCanAddNetworks() throws Exception {
    try (HostingNetworks extended = open(Set.of(15557L))) { // SFR
      assertThat(run(new HostingNetworkBots(defaults()), "77.159.250.1").bot).isFalse();
      assertThat(run(new HostingNetworkBots(extended), "77.159.250.1").bot).isTrue();
      assertThat(extended.asns()).contains(15557L, 16509L);
    }
  }

  @Test
  void onlyTheHostingRangesAreKeptInMemory() throws Exception {
    {
      HostingNetworks networks = defaults();
      assertThat(networks.describe()).contains("hosting ASNs");
      assertThat(networks.asn(IpAddresses.parse("77.159.250.1"))).as("not kept: not a hosting ASN").isZero();
      assertThat(networks.asn(IpAddresses.parse("52.95.110.1"))).isEqualTo(16509L);
    }
  }

  @Test
  void csvLinesMayEndInCrLfOrNothingAndOddLinesAreSkipped() throws Exception {
    // Rows as in asn-ipv4.csv / asn-ipv6.csv, one with Windows line ending, the last without any.
    Path csv = Files.writeString(dir.resolve("asn.csv"), "52.95.110.0,52.95.111.255,16509,\"Amazon.com, Inc.\"\r\n"
        + "garbage line\n"
        + "77.159.240.0,77.159.255.255,15557,Societe Francaise Du Radiotelephone - SFR SA\n"
        + "1.2.3.4,2001::1,16509,mixed families\n"
        + "x".repeat(5000) + "\n"
        + "2600:1f00:5100::,2600:1f10:3fff:ffff:ffff:ffff:ffff:ffff,16509,\"Amazon.com, Inc.\"");
    try (HostingNetworks networks = HostingNetworks.open("test", List.of(csv), Set.of(16509L))) {
      assertThat(networks.asn(IpAddresses.parse("52.95.111.200"))).isEqualTo(16509L);
      assertThat(networks.asn(IpAddresses.parse("52.95.112.0"))).isZero();
      assertThat(networks.asn(IpAddresses.parse("2600:1f0a::1"))).isEqualTo(16509L);
      assertThat(networks.asn(IpAddresses.parse("2600:1f10:4000::"))).isZero();
      assertThat(networks.asn(IpAddresses.parse("77.159.250.1"))).isZero();
      assertThat(networks.describe()).contains("2 address ranges of them among 3");
    }
  }

  @Test
  void aFileThatIsNoAsnDatabaseIsRefusedNamingTheSetting() throws Exception {
    Path notCsv = Files.writeString(dir.resolve("asn.csv"), "hello\nworld\n");
    assertThatThrownBy(() -> HostingNetworks.open("enrichment.geo.asn-database", List.of(notCsv), Set.of(16509L)))
        .isInstanceOf(GeoDatabaseException.class)
        .hasMessageContaining("enrichment.geo.asn-database").hasMessageContaining("start,end,asn");
    Path notMmdb = Files.writeString(dir.resolve("asn.mmdb"), "not a database");
    assertThatThrownBy(() -> HostingNetworks.open("enrichment.geo.asn-database", List.of(notMmdb), Set.of(16509L)))
        .isInstanceOf(GeoDatabaseException.class)
        .hasMessageContaining("enrichment.geo.asn-database").hasMessageContaining("not a MaxMind DB");
    assertThatThrownBy(() -> HostingNetworks.open("enrichment.geo.asn-database", List.of(dir.resolve("missing.mmdb")), Set.of()))
        .isInstanceOf(GeoDatabaseException.class).hasMessageContaining("does not exist");
  }

  @Test
  void aLocationDatabaseGivenAsTheAsnOneIsRefused() {
    List<Path> country = TestGeoDatabases.require(TestGeoDatabases.GEOLITE2_COUNTRY);
    assertThatThrownBy(() -> HostingNetworks.open("enrichment.geo.asn-database", country, Set.of(16509L)))
        .isInstanceOf(GeoDatabaseException.class).hasMessageContaining("not an ASN database");
  }
}
