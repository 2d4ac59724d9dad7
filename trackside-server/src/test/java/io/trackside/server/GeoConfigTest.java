package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackside.pipeline.GeoConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enrichment.geo.* and bots.hosting-asns settings, and what a node does with bad ones. */
class GeoConfigTest {

  @TempDir
  Path dir;

  private Config load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("trackside.yml");
    Files.writeString(file, """
        admin-token: test-token-0123456789
        data: %s
        sources:
          - name: web
            write-key: web-key
        """.formatted(dir.resolve("data")) + yaml);
    return ConfigLoader.load(file, env, Map.of()).config();
  }

  @Test
  void geoIsOffWhenNothingIsConfiguredOrFetched() throws Exception {
    GeoConfig geo = load("", Map.of()).pipeline().geo();
    assertThat(geo.databases()).isEmpty();
    assertThat(geo.asnDatabases()).isEmpty();
    assertThat(geo.extraHostingAsns()).isEmpty();
  }

  @Test
  void filesThatGeoFetchPutUnderTheDataDirectoryAreUsedUnlessTurnedOff() throws Exception {
    Path geoDir = Files.createDirectories(dir.resolve("data").resolve("geo"));
    Files.writeString(geoDir.resolve("geo-whois-asn-country.mmdb"), "x");
    Files.writeString(geoDir.resolve("asn.csv"), "x");
    GeoConfig geo = load("", Map.of()).pipeline().geo();
    assertThat(geo.databases()).containsExactly(geoDir.resolve("geo-whois-asn-country.mmdb"));
    assertThat(geo.asnDatabases()).containsExactly(geoDir.resolve("asn.csv"));
    GeoConfig off = load("""
        enrichment:
          geo:
            database: off
            asn-database: "off"
        """, Map.of()).pipeline().geo();
    assertThat(off.databases()).isEmpty();
    assertThat(off.asnDatabases()).isEmpty();
  }

  @Test
  void pathsAreAListInYamlOrCommaSeparatedInTheEnvironment() throws Exception {
    Config fromFile = load("""
        enrichment:
          geo:
            database: [city-ipv4.mmdb, city-ipv6.mmdb]
            asn-database: /srv/geo/GeoLite2-ASN.mmdb
        bots:
          hosting-asns: [AS64500, 64501]
        """, Map.of());
    assertThat(fromFile.pipeline().geo().databases()).containsExactly(Path.of("city-ipv4.mmdb"), Path.of("city-ipv6.mmdb"));
    assertThat(fromFile.pipeline().geo().asnDatabases()).containsExactly(Path.of("/srv/geo/GeoLite2-ASN.mmdb"));
    assertThat(fromFile.pipeline().geo().extraHostingAsns()).containsExactlyInAnyOrder(64500L, 64501L);

    Config fromEnv = load("", Map.of("TRACKSIDE_ENRICHMENT_GEO_DATABASE", "a.mmdb, b.mmdb",
        "TRACKSIDE_ENRICHMENT_GEO_ASN_DATABASE", "asn-ipv4.csv,asn-ipv6.csv", "TRACKSIDE_BOTS_HOSTING_ASNS", "AS1,2"));
    assertThat(fromEnv.pipeline().geo().databases()).containsExactly(Path.of("a.mmdb"), Path.of("b.mmdb"));
    assertThat(fromEnv.pipeline().geo().asnDatabases()).containsExactly(Path.of("asn-ipv4.csv"), Path.of("asn-ipv6.csv"));
    assertThat(fromEnv.pipeline().geo().extraHostingAsns()).containsExactlyInAnyOrder(1L, 2L);
  }

  @Test
  void aBadAsnIsAConfigErrorNamingTheSetting() {
    assertThatThrownBy(() -> load("bots:\n  hosting-asns: [AWS]\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bots.hosting-asns").hasMessageContaining("AWS");
    assertThatThrownBy(() -> load("bots:\n  hosting-asns: [99999999999]\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bots.hosting-asns");
    assertThatThrownBy(() -> load("bots:\n  hosting-asns: {aws: 16509}\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bots.hosting-asns");
  }

  @Test
  void aNodeDoesNotStartWithAMissingOrBrokenDatabaseAndSaysWhichSetting() throws Exception {
    Config missing = load("enrichment:\n  geo:\n    database: " + dir.resolve("nope.mmdb") + "\n", Map.of());
    assertThatThrownBy(() -> TracksideNode.start(missing))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("enrichment.geo.database").hasMessageContaining("nope.mmdb").hasMessageContaining("does not exist");
    Path broken = Files.writeString(dir.resolve("broken.mmdb"), "this is not a MaxMind DB file");
    Config notMmdb = load("enrichment:\n  geo:\n    asn-database: " + broken + "\n", Map.of());
    assertThatThrownBy(() -> TracksideNode.start(notMmdb))
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("enrichment.geo.asn-database").hasMessageContaining("not a MaxMind DB");
  }

  @Test
  void theSampleConfigDocumentsTheSettingsAndStillLoads() throws Exception {
    String sample = ConfigLoader.sampleConfig("wk_sample_key_0123", "at_sample_token_0123456789");
    assertThat(sample).contains("enrichment:", "database:", "asn-database:", "hosting-asns:", "geo fetch");
    Path file = Files.writeString(dir.resolve("sample.yml"), sample.replace("data: ./data", "data: " + dir.resolve("d")));
    assertThat(ConfigLoader.load(file, Map.of(), Map.of()).config().pipeline().geo().databases()).isEmpty();
  }
}
