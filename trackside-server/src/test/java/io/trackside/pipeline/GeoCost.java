package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import io.trackside.core.ReceivedEvent;
import io.trackside.core.SegmentEvents;
import java.io.BufferedReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * By-hand measurement (not a test) of what the geo and hosting-network steps cost per event, on
 * one thread, with a realistic mix of addresses: visitors at real allocated addresses (random
 * addresses inside random ranges of the ASN table, 80% IPv4, 20% IPv6, ~2% in cloud networks)
 * sending 300,000 events in interleaved visits ({@link #sessions}). "warm" is a second pass over
 * the same events (JIT and caches warm); "cold" is 40,000 addresses each seen once: the cost of
 * a cache miss.
 *
 * <pre>
 * mvn -o -q -pl trackside-core,trackside-server test-compile
 * java -cp "trackside-server/target/test-classes:trackside-server/target/classes:trackside-core/target/classes:$(cat cp.txt)" \
 *   -Dtrackside.test.geo.country=... -Dtrackside.test.geo.city=... -Dtrackside.test.geo.geolite2-city=... \
 *   -Dtrackside.test.geo.asn=... io.trackside.pipeline.GeoCost
 * </pre>
 * (the -D flags as printed by .ci/test-geo-databases; cp.txt from {@code mvn dependency:build-classpath}).
 */
public final class GeoCost {

  private static final int VISITORS = 40_000;
  private static final int EVENTS = 300_000;
  /** CPU time of this thread, not wall time: on a shared 2-core machine the wall clock mostly measures the others. */
  private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    List<String> addresses = realAddresses(TestGeoDatabases.require(TestGeoDatabases.ASN), VISITORS, new Random(1));
    List<Event> stream = sessions(addresses, new Random(2));
    List<Event> once = addresses.stream().map(GeoCost::event).toList();
    AddressCache<Boolean> cache = new AddressCache<>(GeoFields.CACHE_SLOTS);
    int hits = 0;
    for (int pass = 0; pass < 2; pass++) {
      hits = 0;
      for (Event e : stream) {
        String ip = e.context().path("ip").asText();
        if (cache.get(ip) != null) {
          hits++;
        } else {
          cache.put(ip, Boolean.TRUE);
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d events from %d addresses; per-worker cache of %d slots: %.1f%% hits on the second pass%n",
        stream.size(), VISITORS, cache.slots(), 100.0 * hits / stream.size());

    Set<Long> asns = new HashSet<>(HostingNetworks.DEFAULT_ASNS.keySet());
    try (MmdbFiles country = TestGeoDatabases.open(TestGeoDatabases.COUNTRY);
         MmdbFiles city = TestGeoDatabases.open(TestGeoDatabases.CITY);
         MmdbFiles geolite2 = TestGeoDatabases.open(TestGeoDatabases.GEOLITE2_CITY);
         HostingNetworks hosting = HostingNetworks.open("asn", TestGeoDatabases.require(TestGeoDatabases.ASN), asns)) {
      measure("geo, geo-whois-asn-country (flat, country)", () -> new GeoFields(country), stream, once);
      measure("geo, geolite2-city-mmdb (flat, city)", () -> new GeoFields(city), stream, once);
      measure("geo, GeoLite2-City (GeoIP2 layout)", () -> new GeoFields(geolite2), stream, once);
      measure("hosting_network, asn CSV ranges", () -> new HostingNetworkBots(hosting), stream, once);
    }
  }

  private static void measure(String name, java.util.function.Supplier<Step> steps, List<Event> stream, List<Event> once) {
    Step cold = steps.get();
    run(cold, once); // JIT warm-up on a first instance
    cold = steps.get();
    double coldNs = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      cold = steps.get();
      coldNs = Math.min(coldNs, run(cold, once));
    }
    Step warm = steps.get();
    run(warm, stream);
    double warmNs = Double.MAX_VALUE;
    for (int i = 0; i < 7; i++) {
      warmNs = Math.min(warmNs, run(warm, stream));
    }
    int placed = 0;
    for (Event e : once) {
      EnrichedEvent x = new EnrichedEvent(e);
      warm.apply(x);
      placed += x.country != null || x.bot ? 1 : 0;
    }
    System.out.printf(Locale.ROOT, "%-45s warm %6.0f ns/event   cold (every address new) %6.0f ns/event   found for %d of %d addresses%n",
        name, warmNs, coldNs, placed, once.size());
  }

  /**
   * Events as visits make them: ~1,500 visitors active at a time, each sending a few events
   * (geometric, mean 8) interleaved with the others'; a finished visitor is replaced by a new
   * address, or by one seen before (30%, returning visitors).
   */
  static List<Event> sessions(List<String> addresses, Random random) {
    int active = 1_500;
    String[] ip = new String[active];
    int[] left = new int[active];
    int next = 0;
    List<Event> events = new ArrayList<>(EVENTS);
    while (events.size() < EVENTS) {
      int v = random.nextInt(active);
      if (left[v] == 0) {
        ip[v] = next > 0 && random.nextInt(10) < 3 ? addresses.get(random.nextInt(Math.min(next, addresses.size()))) : addresses.get(next++ % addresses.size());
        left[v] = 1 + (int) (Math.log(1 - random.nextDouble()) / Math.log(1 - 1.0 / 8));
      }
      left[v]--;
      events.add(event(ip[v]));
    }
    return events;
  }

  /** CPU ns per event of the step alone (the EnrichedEvents are made before the clock starts). */
  private static double run(Step step, List<Event> events) {
    EnrichedEvent[] batch = new EnrichedEvent[events.size()];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = new EnrichedEvent(events.get(i));
    }
    long started = CPU.getCurrentThreadCpuTime();
    for (EnrichedEvent e : batch) {
      step.apply(e);
    }
    return (CPU.getCurrentThreadCpuTime() - started) / (double) batch.length;
  }

  private static Event event(String ip) {
    String json = "{\"type\":\"page\",\"anonymousId\":\"v\",\"context\":{\"ip\":\"" + ip + "\"}}";
    return SegmentEvents.decode(new ReceivedEvent(1L, "web", "127.0.0.1", "Mozilla/5.0", null, null,
        json.getBytes(StandardCharsets.UTF_8)));
  }

  /** Random addresses inside random rows of the ASN table: where real visitors come from. */
  static List<String> realAddresses(List<Path> asnCsv, int count, Random random) throws Exception {
    List<String[]> v4 = new ArrayList<>();
    List<String[]> v6 = new ArrayList<>();
    for (Path file : asnCsv) {
      try (BufferedReader in = Files.newBufferedReader(file)) {
        String line;
        while ((line = in.readLine()) != null) {
          String[] f = line.split(",", 4);
          (f[0].contains(":") ? v6 : v4).add(f);
        }
      }
    }
    List<String> out = new ArrayList<>();
    while (out.size() < count) {
      boolean six = random.nextInt(5) == 0;
      String[] row = (six ? v6 : v4).get(random.nextInt((six ? v6 : v4).size()));
      byte[] start = InetAddress.getByName(row[0]).getAddress();
      byte[] end = InetAddress.getByName(row[1]).getAddress();
      byte[] ip = start.clone();
      for (int i = 0; i < ip.length; i++) { // a random address between start and end, roughly
        if (start[i] != end[i]) {
          int lo = start[i] & 0xff;
          int hi = end[i] & 0xff;
          ip[i] = (byte) (lo + random.nextInt(hi - lo + 1));
          for (int j = i + 1; j < ip.length; j++) {
            ip[j] = (byte) random.nextInt(256);
          }
          break;
        }
      }
      out.add(InetAddress.getByAddress(ip).getHostAddress());
    }
    return out;
  }
}
