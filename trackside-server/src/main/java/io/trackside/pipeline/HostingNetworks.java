package io.trackside.pipeline;

import java.io.Closeable;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether an address belongs to a hosting or cloud network (a data centre), by the autonomous
 * system that announces it. People browse from homes, offices and phones; a page view from AWS
 * or Hetzner is almost always a script, a crawler, a headless browser or a monitoring probe.
 *
 * <p>The ASN comes from a MaxMind DB ASN database ({@code .mmdb}: GeoLite2-ASN, the
 * {@code asn.mmdb} of ip-location-db) or from the CSV files of {@code @ip-location-db/asn}.
 * Shared by every worker (both sources are read-only after loading).
 */
public final class HostingNetworks implements Closeable {

  /**
   * Cloud and hosting providers whose address space is mostly servers. Deliberately left out:
   * networks that carry real people's traffic through proxies — Cloudflare (13335: WARP, iCloud
   * Private Relay), Akamai's CDN and relay networks (20940, 36183), Fastly (54113), hosters that
   * mostly run commercial VPN exits (M247, 9009) — and consumer ISPs. Extend with
   * {@code bots.hosting-asns}.
   */
  public static final Map<Long, String> DEFAULT_ASNS = defaults();

  private final Set<Long> asns;
  private final MmdbFiles mmdb;
  private final AsnRanges ranges;
  private final List<Path> paths;

  private HostingNetworks(Set<Long> asns, MmdbFiles mmdb, AsnRanges ranges, List<Path> paths) {
    this.asns = asns;
    this.mmdb = mmdb;
    this.ranges = ranges;
    this.paths = paths;
  }

  /**
   * Opens the ASN database: files ending in {@code .csv} are read as ip-location-db ASN CSV (only
   * the hosting ranges are kept), anything else as MaxMind DB files. One kind per setting.
   *
   * @param asns the hosting ASNs (defaults and the operator's own)
   */
  static HostingNetworks open(String setting, List<Path> files, Set<Long> asns) throws GeoDatabaseException {
    long csv = files.stream().filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")).count();
    if (csv > 0 && csv < files.size()) {
      throw new GeoDatabaseException(setting + ": give either .mmdb files or ip-location-db ASN .csv files, not both");
    }
    Set<Long> frozen = Collections.unmodifiableSet(new TreeSet<>(asns));
    if (csv > 0) {
      return new HostingNetworks(frozen, null, AsnRanges.load(setting, files, frozen), List.copyOf(files));
    }
    MmdbFiles mmdb = MmdbFiles.open(setting, files);
    for (String type : mmdb.types()) {
      if (!type.contains("asn") && (type.contains("country") || type.contains("city"))) {
        mmdb.close();
        throw new GeoDatabaseException(setting + ": " + mmdb.paths() + " is a location database (" + type
            + "), not an ASN database; give it as enrichment.geo.database");
      }
    }
    return new HostingNetworks(frozen, mmdb, null, List.copyOf(files));
  }

  /** The autonomous system number of the address, or 0 when unknown (for CSV: unless it is a hosting one). */
  long asn(InetAddress address) {
    return ranges != null ? ranges.asn(address) : GeoRecords.asn(mmdb.record(address));
  }

  boolean isHosting(InetAddress address) {
    long asn = asn(address);
    return asn != 0 && asns.contains(asn);
  }

  Set<Long> asns() {
    return asns;
  }

  /** For the start-up log. */
  String describe() {
    return (mmdb != null ? mmdb.describe() : paths + " (" + ranges.size() + " address ranges of them among "
        + ranges.rowsRead() + ")") + ", " + asns.size() + " hosting ASNs";
  }

  @Override
  public void close() {
    if (mmdb != null) {
      mmdb.close();
    }
  }

  private static Map<Long, String> defaults() {
    Map<Long, String> m = new LinkedHashMap<>();
    m.put(16509L, "Amazon Web Services");
    m.put(14618L, "Amazon Web Services (us-east-1)");
    m.put(8987L, "Amazon Web Services (Ireland)");
    m.put(396982L, "Google Cloud");
    m.put(15169L, "Google (Googlebot, Cloud, Apps Script)");
    m.put(19527L, "Google (Cloud)");
    m.put(8075L, "Microsoft (Azure)");
    m.put(14061L, "DigitalOcean");
    m.put(24940L, "Hetzner");
    m.put(213230L, "Hetzner Cloud");
    m.put(16276L, "OVHcloud");
    m.put(63949L, "Akamai Connected Cloud (Linode)");
    m.put(20473L, "Vultr (Choopa)");
    m.put(31898L, "Oracle Cloud");
    m.put(45102L, "Alibaba Cloud");
    m.put(37963L, "Alibaba Cloud (China)");
    m.put(132203L, "Tencent Cloud");
    m.put(45090L, "Tencent Cloud (China)");
    m.put(136907L, "Huawei Cloud");
    m.put(12876L, "Scaleway");
    m.put(51167L, "Contabo");
    m.put(60781L, "Leaseweb Netherlands");
    m.put(28753L, "Leaseweb Germany");
    m.put(36351L, "IBM Cloud (SoftLayer)");
    m.put(8560L, "IONOS");
    m.put(197540L, "netcup");
    m.put(47583L, "Hostinger");
    m.put(46606L, "Unified Layer (Bluehost)");
    m.put(26496L, "GoDaddy");
    return Collections.unmodifiableMap(m);
  }

  /** The default list, for the docs and for the start-up log. */
  static List<String> describeDefaults() {
    List<String> out = new ArrayList<>();
    DEFAULT_ASNS.forEach((asn, name) -> out.add("AS" + asn + " " + name));
    return out;
  }
}
