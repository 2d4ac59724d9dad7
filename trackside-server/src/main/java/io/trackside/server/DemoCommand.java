package io.trackside.server;

import io.trackside.demo.ShopClient;
import io.trackside.demo.ShopSimulator;
import io.trackside.pipeline.GeoConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trackside demo}: a Trackside of its own (own data directory, own config, loopback only)
 * fed by a simulated shop through the real HTTP APIs — a backfill of the last weeks, then a live
 * trickle — so that a newcomer sees every dashboard page filled within seconds.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run Trackside with a simulated shop sending to it: 30 days of history, then live visits.",
        "Uses its own data directory (never your real data); delete it to start over."})
final class DemoCommand implements Callable<Integer> {
  static final String MEASUREMENT_ID = "G-DEMO000001";

  @Option(names = "--data", paramLabel = "DIR", description = "the demo's data directory (default: ./trackside-demo-data)")
  Path data = Path.of("trackside-demo-data");

  @Option(names = "--host", paramLabel = "ADDRESS", description = "bind address (default: 127.0.0.1 — the demo trusts X-Forwarded-For)")
  String host = "127.0.0.1";

  @Option(names = "--port", paramLabel = "N", description = "HTTP port (default: 8080)")
  int port = 8080;

  @Option(names = "--seed", paramLabel = "N", description = "seed of the simulation: the same seed sends the same shop (default: 1)")
  long seed = 1;

  @Option(names = "--days", paramLabel = "N", description = "days of history to backfill (default: 30)")
  int days = 30;

  @Option(names = "--visits-per-day", paramLabel = "N", description = "an average day's visits in the history (default: 150)")
  int visitsPerDay = 150;

  @Option(names = "--live-visits-per-minute", paramLabel = "N", description = "visits started per minute after the backfill (default: 40, about 3 events a second; 0: none)")
  double liveVisitsPerMinute = 40;

  @Option(names = "--geo-database", paramLabel = "FILE", description = "an IP country database (.mmdb); default: the demo's data/geo, else ./data/geo from `trackside geo fetch`")
  Path geoDatabase;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (days < 1 || days > 400 || visitsPerDay < 1 || liveVisitsPerMinute < 0) {
      System.err.println("--days must be 1..400, --visits-per-day at least 1, --live-visits-per-minute at least 0");
      return 2;
    }
    Path configFile = data.resolve("trackside.yml");
    writeDemoConfig(configFile);
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("data", data.toString());
    flags.put("server.host", host);
    flags.put("server.port", Integer.toString(port));
    String geoNote = geo(flags);
    ConfigLoader.Loaded loaded;
    try {
      // The environment's TRACKSIDE_* still apply (e.g. TRACKSIDE_LOG_LEVEL); the flags above win over them.
      loaded = ConfigLoader.load(configFile, System.getenv(), flags);
    } catch (ConfigException e) {
      System.err.println("cannot start the demo: " + e.getMessage() + " (delete " + data + " to start over)");
      return 2;
    }
    Config config = loaded.config();
    TracksideNode node;
    try {
      node = TracksideNode.start(config);
    } catch (StartupException e) {
      System.err.println("cannot start the demo: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "trackside-demo-shutdown"));
    Banner.print(config, node.port());
    String base = "http://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + node.port();
    Config.Source source = config.sources().stream().filter(s -> s.measurementIds().contains(MEASUREMENT_ID))
        .findFirst().orElse(null);
    if (source == null || source.writeKey() == null) {
      System.err.println("the demo's config " + configFile + " has no source with a write key and " + MEASUREMENT_ID
          + "; delete " + data + " to start over");
      node.stop();
      return 2;
    }
    printWelcome(out, base, config, geoNote);

    ShopClient client = new ShopClient(URI.create("http://127.0.0.1:" + node.port()), source.writeKey(),
        config.snippetPath() + "/c", MEASUREMENT_ID, Clock.systemUTC());
    ShopSimulator shop = new ShopSimulator(client,
        new ShopSimulator.Settings(seed, days, visitsPerDay, liveVisitsPerMinute), Clock.systemUTC());
    long stored = node.warehouse().countEvents();
    if (stored > 0) {
      // A second start on the same directory: a second history would double every number.
      out.printf("The demo's warehouse has %,d events from an earlier run: no backfill (delete %s for a fresh one).%n",
          stored, data);
    } else {
      out.println("Backfilling " + days + " days of a simulated shop (seed " + seed + ") through the Segment API and the snippet…");
      long started = System.nanoTime();
      ShopSimulator.Counts past = shop.backfill(out::println);
      out.printf("Sent %,d events of %,d visits (%,d orders, %,d bot visits) in %.1f s; the pipeline is storing them…%n",
          past.events(), past.visits(), past.orders(), past.bots(), (System.nanoTime() - started) / 1e9);
      waitForWarehouse(node, out);
    }
    out.println("\nThe dashboard has data now: " + base + "/");
    if (liveVisitsPerMinute == 0) {
      out.println("No live visits (--live-visits-per-minute 0). Trackside keeps running; Ctrl-C stops it.");
      Thread.currentThread().join();
    }
    out.printf("Live: about %.0f visits a minute through the Segment API, the snippet and gtag.js hits. Ctrl-C stops.%n",
        liveVisitsPerMinute);
    shop.trickle(null, out::println);
    return 0;
  }

  private void printWelcome(PrintStream out, String base, Config config, String geoNote) {
    out.println();
    out.println("==================== Trackside demo ====================");
    out.println("  Dashboard:   " + base + "/");
    out.println("  Admin token: " + config.adminToken() + "   (API: Authorization: Bearer …)");
    out.println("  Sign-in:     password " + demoPassword(data.resolve("trackside.yml")));
    out.println("  Try:         curl -H 'Authorization: Bearer " + config.adminToken() + "' '" + base
        + "/api/stats/overview?period=30d'");
    out.println("  Data:        " + config.dataDir().toAbsolutePath() + "  (delete it to start over)");
    out.println("  Countries:   " + geoNote);
    out.println("=========================================================");
    out.println();
  }

  /** Picks the country database and says what the demo will show for countries. */
  private String geo(Map<String, String> flags) {
    if (geoDatabase != null) {
      flags.put(GeoConfig.DATABASE_SETTING, geoDatabase.toString());
      return "from " + geoDatabase;
    }
    Path own = data.resolve(GeoConfig.DEFAULT_DIR).resolve(GeoConfig.DEFAULT_COUNTRY_FILE);
    if (Files.isRegularFile(own)) {
      return "from " + own;
    }
    Path fetched = Path.of("data", GeoConfig.DEFAULT_DIR, GeoConfig.DEFAULT_COUNTRY_FILE);
    if (Files.isRegularFile(fetched)) {
      flags.put(GeoConfig.DATABASE_SETTING, fetched.toString());
      return "from " + fetched;
    }
    return "none — no IP database here, so the country reports stay empty. Run `./trackside geo fetch`"
        + " (then restart the demo) to see the visitors' 14 countries.";
  }

  /** Until the workers have written what the backfill sent (the first events also wait for the user-agent analyzer). */
  private static void waitForWarehouse(TracksideNode node, PrintStream out) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    long lastReport = 0;
    while (System.nanoTime() < deadline) {
      long lag = node.warehouseLag();
      if (lag == 0) {
        return;
      }
      if (System.nanoTime() - lastReport > 2_000_000_000L) {
        out.printf("  %,d events still on their way to the warehouse…%n", lag);
        lastReport = System.nanoTime();
      }
      Thread.sleep(200);
    }
  }

  /** The demo's own config: a source for the write key and the gtag measurement id, a token, trusted X-Forwarded-For. */
  private void writeDemoConfig(Path file) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    SecureRandom random = new SecureRandom();
    String writeKey = "wk_demo_" + hex(random, 12);
    String token = "at_demo_" + hex(random, 16);
    String password = "demo-" + hex(random, 6);
    Files.writeString(file, """
        # Written by `trackside demo` for its own Trackside. Delete this directory to start over.
        server:
          # The simulated browsers' addresses come in X-Forwarded-For, as from a reverse proxy.
          # Safe here because the demo listens on 127.0.0.1 only (--host).
          trust-forwarded-for: true
        admin-token: %s
        dashboard:
          # In clear because this demo is for trying Trackside out; a real config keeps only
          # password-hash (made by ./trackside hash-password).
          password: %s
        sources:
          - name: demo-shop
            write-key: %s
            measurement-ids: [%s]
        """.formatted(token, password, writeKey, MEASUREMENT_ID), StandardCharsets.UTF_8);
  }

  /** The sign-in password the demo's config holds in clear (written by {@link #writeDemoConfig}). */
  private static String demoPassword(Path configFile) {
    try {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^  password: (\\S+)$")
          .matcher(Files.readString(configFile, StandardCharsets.UTF_8));
      return m.find() ? m.group(1) : "(see dashboard.password in " + configFile + ")";
    } catch (IOException e) {
      return "(see dashboard.password in " + configFile + ")";
    }
  }

  private static String hex(SecureRandom random, int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
