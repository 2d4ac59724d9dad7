package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import java.net.InetAddress;

/**
 * Country, region and city from the client's full address, looked up in a MaxMind DB file
 * (either record layout, see {@link GeoRecords}). Runs before {@link IpTruncation}: a /24 would
 * often still give the country, but not reliably the city, and an IPv6 /48 sometimes not even
 * the country.
 *
 * <p>Lookups are cached per worker by the address string, so a returning visitor costs a hash
 * and a string comparison; a miss costs a parse and a walk down the database's tree (~1 µs).
 */
final class GeoFields implements Step {

  /**
   * Per worker and step: ~32k recent addresses, about 3 MB. A visitor's events come within
   * minutes of each other, so this holds everyone active at a few thousand events per second.
   */
  static final int CACHE_SLOTS = 32_768;
  /** Longer than any IP literal (IPv6 with brackets and a zone); not worth parsing or caching. */
  static final int MAX_ADDRESS_LENGTH = 64;

  private final MmdbFiles database;
  private final AddressCache<Place> cache = new AddressCache<>(CACHE_SLOTS);

  GeoFields(MmdbFiles database) {
    this.database = database;
  }

  @Override
  public String name() {
    return "geo";
  }

  @Override
  public void apply(EnrichedEvent e) {
    String ip = e.rawIp();
    if (ip == null || ip.isEmpty() || ip.length() > MAX_ADDRESS_LENGTH) {
      return;
    }
    Place place = cache.get(ip);
    if (place == null) {
      place = lookup(ip);
      cache.put(ip, place);
    }
    if (place.known()) {
      e.country = place.country();
      e.region = place.region();
      e.city = place.city();
    }
  }

  Place lookup(String ip) {
    InetAddress address = IpAddresses.parse(ip);
    return address == null || !IpAddresses.isPublic(address) ? Place.UNKNOWN : GeoRecords.place(database.record(address));
  }
}
