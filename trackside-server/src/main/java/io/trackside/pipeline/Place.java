package io.trackside.pipeline;

/**
 * Where an address is, as far as the IP database knows: an ISO 3166-1 alpha-2 country code in
 * upper case, and the region (state, province, Land) and city in English where the database has
 * them. Region and city are null in a country-only database.
 */
record Place(String country, String region, String city) {

  /** The address is not in the database (private, reserved, unallocated) or is no IP at all. */
  static final Place UNKNOWN = new Place(null, null, null);

  boolean known() {
    return country != null;
  }
}
