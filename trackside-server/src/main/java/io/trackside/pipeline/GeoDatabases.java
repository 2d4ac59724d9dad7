package io.trackside.pipeline;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The IP databases a node has open, shared by every worker's pipeline: the location database
 * for the geo step and the ASN database for the hosting-network bot layer — either or both may
 * be absent, which turns that step off. Opened once at start-up, closed after the workers stop.
 */
public final class GeoDatabases implements AutoCloseable {

  /** No databases: geo and the hosting-network layer are off. */
  public static final GeoDatabases NONE = new GeoDatabases(null, null);

  private final MmdbFiles locations;
  private final HostingNetworks hosting;

  private GeoDatabases(MmdbFiles locations, HostingNetworks hosting) {
    this.locations = locations;
    this.hosting = hosting;
  }

  /** Opens what the config names; fails with a message naming the setting. */
  public static GeoDatabases open(GeoConfig config) throws GeoDatabaseException {
    MmdbFiles locations = null;
    if (!config.databases().isEmpty()) {
      locations = MmdbFiles.open(GeoConfig.DATABASE_SETTING, config.databases());
      for (String type : locations.types()) {
        if (type.contains("asn") && !type.contains("country") && !type.contains("city")) {
          locations.close();
          throw new GeoDatabaseException(GeoConfig.DATABASE_SETTING + ": " + config.databases() + " is an ASN database ("
              + type + "), not a location database; give it as " + GeoConfig.ASN_DATABASE_SETTING);
        }
      }
    }
    HostingNetworks hosting = null;
    if (!config.asnDatabases().isEmpty()) {
      Set<Long> asns = new HashSet<>(HostingNetworks.DEFAULT_ASNS.keySet());
      asns.addAll(config.extraHostingAsns());
      try {
        hosting = HostingNetworks.open(GeoConfig.ASN_DATABASE_SETTING, config.asnDatabases(), asns);
      } catch (GeoDatabaseException e) {
        if (locations != null) {
          locations.close();
        }
        throw e;
      }
    }
    return new GeoDatabases(locations, hosting);
  }

  boolean geo() {
    return locations != null;
  }

  boolean hostingNetworks() {
    return hosting != null;
  }

  /** A new geo step for one worker (its own cache); null when geo is off. */
  Step geoStep() {
    return locations == null ? null : new GeoFields(locations);
  }

  /** A new hosting-network bot step for one worker; null when the layer is off. */
  Step hostingNetworkStep() {
    return hosting == null ? null : new HostingNetworkBots(hosting);
  }

  /** The country code the location database gives this address (an IP literal), or null. */
  public String countryOf(String ip) {
    InetAddress address = IpAddresses.parse(ip);
    return locations == null || address == null || !IpAddresses.isPublic(address) ? null
        : GeoRecords.place(locations.record(address)).country();
  }

  /** Whether the ASN database puts this address (an IP literal) in a hosting network. */
  public boolean isHostingNetwork(String ip) {
    InetAddress address = IpAddresses.parse(ip);
    return hosting != null && address != null && IpAddresses.isPublic(address) && hosting.isHosting(address);
  }

  /** What is on and off, with the way to turn it on, for the start-up log. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    if (locations != null) {
      lines.add("geo: country, and region and city where the database has them, from " + locations.describe());
    } else {
      lines.add("geo: off — no IP database (" + GeoConfig.DATABASE_SETTING + "). Run `./trackside geo fetch` to download "
          + "the free country database (CC BY 4.0, NRO) into data/" + GeoConfig.DEFAULT_DIR + "/, where it is picked up "
          + "on the next start, or point " + GeoConfig.DATABASE_SETTING + " at any MaxMind DB (.mmdb) file");
    }
    if (hosting != null) {
      lines.add("bots: events from hosting networks are flagged (hosting_network), by " + hosting.describe());
    } else {
      lines.add("bots: the hosting-network layer is off — no ASN database (" + GeoConfig.ASN_DATABASE_SETTING
          + "); `./trackside geo fetch --asn` downloads one");
    }
    return lines;
  }

  @Override
  public void close() {
    if (locations != null) {
      locations.close();
    }
    if (hosting != null) {
      hosting.close();
    }
  }
}
