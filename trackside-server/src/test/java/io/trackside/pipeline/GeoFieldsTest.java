package io.trackside.pipeline;

import static io.trackside.pipeline.TestGeoDatabases.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.core.EnrichedEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The geo step against the real databases (see {@link TestGeoDatabases}): the flat layout of
 * ip-location-db (country and city builds) and MaxMind's GeoIP2 layout (GeoLite2 Country and
 * City). The addresses are real, long-standing allocations: Google's and Cloudflare's resolvers,
 * heise.de (Hanover), SFR (Paris), SAKURA Internet (Tokyo), Google Frankfurt over IPv6.
 */
class GeoFieldsTest {

  private static EnrichedEvent geo(GeoFields step, String ip) {
    EnrichedEvent e = event(ip);
    step.apply(e);
    return e;
  }

  @Test
  void theFreeCountryDatabaseGivesTheCountryOfRealAddresses() throws Exception {
    try (MmdbFiles db = TestGeoDatabases.open(TestGeoDatabases.COUNTRY)) {
      GeoFields step = new GeoFields(db);
      assertThat(geo(step, "8.8.8.8").country).isEqualTo("US");
      assertThat(geo(step, "1.1.1.1").country).isEqualTo("AU"); // APNIC's research prefix, lent to Cloudflare
      assertThat(geo(step, "193.99.144.80").country).isEqualTo("DE");
      assertThat(geo(step, "77.159.250.1").country).isEqualTo("FR");
      assertThat(geo(step, "133.242.0.1").country).isEqualTo("JP");
      assertThat(geo(step, "2a02:2e0:3fe:1001:302::").country).isEqualTo("DE");
      assertThat(geo(step, "::ffff:193.99.144.80").country).isEqualTo("DE");
      EnrichedEvent e = geo(step, "193.99.144.80");
      assertThat(e.region).as("a country database has no regions").isNull();
      assertThat(e.city).isNull();
    }
  }

  @Test
  void privateReservedAndLoopbackAddressesAreNowhere() throws Exception {
    try (MmdbFiles db = TestGeoDatabases.open(TestGeoDatabases.COUNTRY)) {
      GeoFields step = new GeoFields(db);
      // This database wrongly puts 192.168.0.0/16 and 203.0.113.0/24 in Australia; we never ask it.
      for (String ip : List.of("127.0.0.1", "10.1.2.3", "172.16.5.4", "192.168.1.1", "100.64.0.1", "169.254.1.1",
          "203.0.113.5", "198.51.100.7", "0.0.0.0", "255.255.255.255", "224.0.0.1",
          "::1", "::", "fe80::1", "fd00::1", "2001:db8::1", "ff02::1")) {
        EnrichedEvent e = geo(step, ip);
        assertThat(e.country).as(ip).isNull();
        assertThat(e.region).as(ip).isNull();
      }
    }
  }

  @Test
  void whatIsNoAddressIsNowhereAndNeverThrows() throws Exception {
    try (MmdbFiles db = TestGeoDatabases.open(TestGeoDatabases.COUNTRY)) {
      GeoFields step = new GeoFields(db);
      for (String ip : List.of("not an ip", "999.1.1.1", "8.8.8", "8.8.8.8.8", "example.com", "localhost",
          "8.8.8.8, 1.1.1.1", "::ffff:zz", ":::", "1::2::3", "٨.٨.٨.٨", "8.8.8.8x", "\uD83D\uDE00",
          "[2a02:2e0:3fe:1001:302::", "2a02:2e0:3fe:1001:302::]", "x".repeat(100_000))) {
        EnrichedEvent e = geo(step, ip);
        assertThat(e.country).as(ip.length() > 40 ? "a huge string" : ip).isNull();
      }
      // No context.ip and no connection address at all.
      EnrichedEvent none = event(null, null);
      step.apply(none);
      assertThat(none.country).isNull();
    }
  }

  @Test
  void aContextIpOfTheWrongJsonTypeNeverThrows() throws Exception {
    try (MmdbFiles db = TestGeoDatabases.open(TestGeoDatabases.COUNTRY)) {
      GeoFields step = new GeoFields(db);
      // A scalar of the wrong type is taken as text and is no address; null, "" or a container
      // count as absent, so the connection's address is used.
      Map<String, String> expected = new LinkedHashMap<>();
      expected.put("12345", null);
      expected.put("134744072", null); // 8.8.8.8 as an integer: not an IP literal
      expected.put("true", null);
      expected.put("null", "DE");
      expected.put("\"\"", "DE");
      expected.put("{\"v4\":\"8.8.8.8\"}", "DE");
      expected.put("[\"8.8.8.8\"]", "DE");
      expected.forEach((value, country) -> {
        EnrichedEvent e = TestGeoDatabases.eventWithRawContextIp("193.99.144.80", value);
        step.apply(e);
        assertThat(e.country).as(value).isEqualTo(country);
      });
    }
  }

  @Test
  void contextIpWinsOverTheConnectionAddress() throws Exception {
    try (MmdbFiles db = TestGeoDatabases.open(TestGeoDatabases.COUNTRY)) {
      GeoFields step = new GeoFields(db);
      EnrichedEvent e = event("8.8.8.8", "193.99.144.80"); // a server-side SDK relaying a visitor's address
      step.apply(e);
      assertThat(e.country).isEqualTo("DE");
      EnrichedEvent bracketed = event("[2a02:2e0:3fe:1001:302::]", null);
      step.apply(bracketed);
      assertThat(bracketed.country).isEqualTo("DE");
    }
  }

  @Test
  void theFlatCityDatabaseGivesRegionAndCityAndSplitFilesAnswerTheirOwnFamily() throws Exception {
    try (MmdbFiles db = TestGeoDatabases.open(TestGeoDatabases.CITY)) {
      GeoFields step = new GeoFields(db);
      EnrichedEvent kansas = geo(step, "35.190.0.1");
      assertThat(kansas.country).isEqualTo("US");
      assertThat(kansas.region).isEqualTo("Missouri");
      assertThat(kansas.city).isEqualTo("Kansas City");
      EnrichedEvent incheon = geo(step, "3.5.140.2");
      assertThat(incheon.country).isEqualTo("KR");
      assertThat(incheon.city).isEqualTo("Incheon");
      EnrichedEvent frankfurt = geo(step, "2a00:1450:4001:80b::200e"); // from the IPv6 file
      assertThat(frankfurt.country).isEqualTo("DE");
      assertThat(frankfurt.region).isEqualTo("Hesse");
      assertThat(frankfurt.city).isEqualTo("Frankfurt am Main");
      EnrichedEvent paris = geo(step, "77.159.250.1");
      assertThat(paris.country).isEqualTo("FR");
      assertThat(paris.region).isEqualTo("Ile-de-France");
      assertThat(paris.city).as("the flat layout's empty string means unknown").isNull();
      EnrichedEvent google = geo(step, "8.8.8.8");
      assertThat(google.country).isEqualTo("US");
      assertThat(google.region).isNull();
      assertThat(google.city).isNull();
    }
  }

  @Test
  void anIpv4OnlyFileIsNeverAskedAboutIpv6() throws Exception {
    List<java.nio.file.Path> files = TestGeoDatabases.require(TestGeoDatabases.CITY);
    java.nio.file.Path ipv4Only = files.stream().filter(p -> p.toString().contains("ipv4")).findFirst().orElseThrow();
    try (MmdbFiles db = MmdbFiles.open("test", List.of(ipv4Only))) {
      GeoFields step = new GeoFields(db);
      // Asked anyway, the IPv4 tree walks the first 32 bits and answers CN for Google Frankfurt.
      assertThat(geo(step, "2a00:1450:4001:80b::200e").country).isNull();
      assertThat(geo(step, "35.190.0.1").country).isEqualTo("US");
    }
  }

  @Test
  void maxMindsGeoLite2CityLayoutGivesSubdivisionAndCityInEnglish() throws Exception {
    try (MmdbFiles db = TestGeoDatabases.open(TestGeoDatabases.GEOLITE2_CITY)) {
      GeoFields step = new GeoFields(db);
      EnrichedEvent hanover = geo(step, "193.99.144.80");
      assertThat(hanover.country).isEqualTo("DE");
      assertThat(hanover.region).isEqualTo("Lower Saxony");
      assertThat(hanover.city).isEqualTo("Hanover");
      EnrichedEvent paris = geo(step, "77.159.250.1");
      assertThat(paris.country).isEqualTo("FR");
      assertThat(paris.region).as("the first, largest subdivision").isEqualTo("Île-de-France");
      assertThat(paris.city).isEqualTo("Paris");
      EnrichedEvent frankfurt = geo(step, "2a00:1450:4001:80b::200e");
      assertThat(frankfurt.region).isEqualTo("Hesse");
      assertThat(frankfurt.city).isEqualTo("Frankfurt am Main");
      EnrichedEvent tokyo = geo(step, "133.242.0.1");
      assertThat(tokyo.country).isEqualTo("JP");
      assertThat(tokyo.region).isNull();
      assertThat(tokyo.city).isNull();
    }
  }

  @Test
  void maxMindsGeoLite2CountryLayoutGivesTheCountry() throws Exception {
    try (MmdbFiles db = TestGeoDatabases.open(TestGeoDatabases.GEOLITE2_COUNTRY)) {
      GeoFields step = new GeoFields(db);
      assertThat(geo(step, "8.8.8.8").country).isEqualTo("US");
      assertThat(geo(step, "193.99.144.80").country).isEqualTo("DE");
      assertThat(geo(step, "2a00:1450:4001:80b::200e").country).isEqualTo("DE");
      assertThat(geo(step, "10.0.0.1").country).isNull();
    }
  }

  @Test
  void aRepeatedAddressComesFromTheCacheWithTheSameAnswer() throws Exception {
    try (MmdbFiles db = TestGeoDatabases.open(TestGeoDatabases.CITY)) {
      GeoFields step = new GeoFields(db);
      EnrichedEvent first = geo(step, "35.190.0.1");
      db.close(); // a lookup now would find nothing: only the cache can answer
      EnrichedEvent again = geo(step, "35.190.0.1");
      assertThat(again.country).isEqualTo(first.country).isEqualTo("US");
      assertThat(again.city).isEqualTo("Kansas City");
      assertThat(geo(step, "193.99.144.80").country).as("not cached, and the closed file answers nothing").isNull();
    }
  }
}
