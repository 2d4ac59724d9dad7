package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Record shapes as the MaxMind DB reader decodes them, copied from real files (the databases
 * themselves are exercised in {@link GeoFieldsTest}); here the odd cases a file could hold.
 */
class GeoRecordsTest {

  @Test
  void geoip2LayoutTakesIsoCodeFirstSubdivisionAndEnglishCityName() {
    Map<String, Object> record = Map.of(
        "country", Map.of("iso_code", "FR", "names", Map.of("en", "France", "de", "Frankreich")),
        "subdivisions", List.of(Map.of("iso_code", "IDF", "names", Map.of("en", "Île-de-France")),
            Map.of("iso_code", "75", "names", Map.of("en", "Paris"))),
        "city", Map.of("geoname_id", 2988507L, "names", Map.of("en", "Paris", "ja", "パリ")));
    assertThat(GeoRecords.place(record)).isEqualTo(new Place("FR", "Île-de-France", "Paris"));
  }

  @Test
  void flatLayoutTakesCountryCodeState1AndCity() {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("country_code", "us");
    record.put("state1", "Missouri");
    record.put("state2", "");
    record.put("city", "Kansas City");
    record.put("latitude", 39.1027);
    assertThat(GeoRecords.place(record)).isEqualTo(new Place("US", "Missouri", "Kansas City"));
    assertThat(GeoRecords.place(Map.of("country_code", "DE", "state1", "", "city", " ")))
        .isEqualTo(new Place("DE", null, null));
  }

  @Test
  void whatIsNoCountryGivesNoPlace() {
    assertThat(GeoRecords.place(null)).isSameAs(Place.UNKNOWN);
    assertThat(GeoRecords.place(Map.of())).isSameAs(Place.UNKNOWN);
    assertThat(GeoRecords.place(Map.of("country_code", "ZZ"))).isSameAs(Place.UNKNOWN);
    assertThat(GeoRecords.place(Map.of("country_code", "USA"))).isSameAs(Place.UNKNOWN);
    assertThat(GeoRecords.place(Map.of("country_code", "1A"))).isSameAs(Place.UNKNOWN);
    assertThat(GeoRecords.place(Map.of("country_code", 42L))).isSameAs(Place.UNKNOWN);
    assertThat(GeoRecords.place(Map.of("country", Map.of("names", Map.of("en", "Europe"))))).isSameAs(Place.UNKNOWN);
    assertThat(GeoRecords.place(Map.of("registered_country", Map.of("iso_code", "US")))).isSameAs(Place.UNKNOWN);
  }

  @Test
  void oddValuesLeaveTheirFieldUnset() {
    Map<String, Object> record = Map.of(
        "country", Map.of("iso_code", "DE"),
        "subdivisions", List.of("not a map"),
        "city", Map.of("names", Map.of("en", "x".repeat(500))));
    assertThat(GeoRecords.place(record)).isEqualTo(new Place("DE", null, null));
    assertThat(GeoRecords.place(Map.of("country", Map.of("iso_code", "DE"), "subdivisions", List.of())))
        .isEqualTo(new Place("DE", null, null));
  }

  @Test
  void asnFromEitherLayout() {
    assertThat(GeoRecords.asn(Map.of("autonomous_system_number", 16509L, "autonomous_system_organization", "AMAZON-02")))
        .isEqualTo(16509L);
    assertThat(GeoRecords.asn(Map.of("asn", "AS15169", "as_name", "Google LLC"))).isEqualTo(15169L);
    assertThat(GeoRecords.asn(Map.of("asn", "as24940"))).isEqualTo(24940L);
    assertThat(GeoRecords.asn(Map.of("asn", 4_200_000_000L))).isEqualTo(4_200_000_000L);
    assertThat(GeoRecords.asn(Map.of("asn", "AS"))).isZero();
    assertThat(GeoRecords.asn(Map.of("asn", "AS99999999999"))).isZero();
    assertThat(GeoRecords.asn(Map.of("asn", -5L))).isZero();
    assertThat(GeoRecords.asn(Map.of())).isZero();
    assertThat(GeoRecords.asn(null)).isZero();
  }
}
