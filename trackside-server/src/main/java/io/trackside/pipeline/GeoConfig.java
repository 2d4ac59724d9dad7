package io.trackside.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Where the IP databases are ({@code enrichment.geo.*}) and which networks count as hosting
 * ({@code bots.hosting-asns}).
 *
 * @param databases        MaxMind DB files for country/region/city, tried in order (several for
 *                         packages that ship IPv4 and IPv6 apart); empty turns geo off
 * @param asnDatabases     ASN database files (.mmdb, or ip-location-db's ASN .csv); empty turns
 *                         the hosting-network bot layer off
 * @param extraHostingAsns the operator's additions to {@link HostingNetworks#DEFAULT_ASNS}
 */
public record GeoConfig(List<Path> databases, List<Path> asnDatabases, Set<Long> extraHostingAsns) {

  public static final String DATABASE_SETTING = "enrichment.geo.database";
  public static final String ASN_DATABASE_SETTING = "enrichment.geo.asn-database";
  public static final String HOSTING_ASNS_SETTING = "bots.hosting-asns";
  /** Where {@code trackside geo fetch} puts the databases, under the data directory. */
  public static final String DEFAULT_DIR = "geo";
  public static final String DEFAULT_COUNTRY_FILE = "geo-whois-asn-country.mmdb";
  public static final String DEFAULT_ASN_FILE = "asn.csv";

  public GeoConfig {
    databases = List.copyOf(databases);
    asnDatabases = List.copyOf(asnDatabases);
    extraHostingAsns = Set.copyOf(extraHostingAsns);
  }

  public static GeoConfig off() {
    return new GeoConfig(List.of(), List.of(), Set.of());
  }
}
