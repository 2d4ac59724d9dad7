package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.pipeline.GeoConfig;
import io.trackside.pipeline.GeoDatabases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code trackside geo fetch} against the real npm registry: downloads the packages (~26 MB),
 * checks them, installs them, and a second run finds them up to date.
 */
class GeoFetchIT {

  @TempDir
  Path dir;

  record Run(int exit, String out, String err) {
  }

  private static Run trackside(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void fetchesTheCountryAndAsnDatabasesChecksAndInstallsThemAndCreditsTheirSources() throws Exception {
    Path geo = dir.resolve("data").resolve("geo");
    Run first = trackside("geo", "fetch", "--asn", "--dir", geo.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("Fetching @ip-location-db/geo-whois-asn-country-mmdb", "Fetching @ip-location-db/asn", "100%")
        .contains("8.8.8.8 is in the US", "52.95.110.1 is in a hosting network")
        .contains("NRO (nro.net)", "CC BY 4.0", "RouteViews", "DB-IP")
        .contains("database: " + geo.resolve("geo-whois-asn-country.mmdb"), "asn-database: " + geo.resolve("asn.csv"));

    Path country = geo.resolve(GeoConfig.DEFAULT_COUNTRY_FILE);
    Path asn = geo.resolve(GeoConfig.DEFAULT_ASN_FILE);
    try (Stream<Path> files = Files.list(geo)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).as("nothing half-written left behind")
          .containsExactly("asn.csv", "asn.csv.about.txt", "geo-whois-asn-country.mmdb", "geo-whois-asn-country.mmdb.about.txt");
    }
    assertThat(Files.readAllLines(GeoFetchCommand.about(country)).get(0)).startsWith("@ip-location-db/geo-whois-asn-country-mmdb@");
    assertThat(Files.readString(GeoFetchCommand.about(country))).contains("CC BY 4.0", "nro.net");

    try (GeoDatabases databases = GeoDatabases.open(new GeoConfig(List.of(country), List.of(asn), Set.of()))) {
      assertThat(databases.countryOf("193.99.144.80")).isEqualTo("DE");
      assertThat(databases.countryOf("133.242.0.1")).isEqualTo("JP");
      assertThat(databases.isHostingNetwork("35.190.0.1")).isTrue();
      assertThat(databases.isHostingNetwork("77.159.250.1")).isFalse();
    }

    FileTime installed = Files.getLastModifiedTime(country);
    Run second = trackside("geo", "fetch", "--asn", "--dir", geo.toString());
    assertThat(second.exit()).as(second.err()).isZero();
    assertThat(second.out()).contains("is from the latest version").doesNotContain("100%");
    assertThat(Files.getLastModifiedTime(country)).isEqualTo(installed);
  }

  @Test
  void anUnreachableRegistryFailsWithAMessageAndInstallsNothing() throws Exception {
    Path geo = dir.resolve("geo");
    Run run = trackside("geo", "fetch", "--dir", geo.toString(), "--registry", "http://127.0.0.1:" + TestNode.freePort() + "/");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).startsWith("geo fetch failed:");
    try (Stream<Path> files = Files.list(geo)) {
      assertThat(files.toList()).isEmpty();
    }
  }
}
