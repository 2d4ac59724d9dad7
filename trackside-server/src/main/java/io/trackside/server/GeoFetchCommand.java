package io.trackside.server;

import io.trackside.pipeline.GeoConfig;
import io.trackside.pipeline.GeoDatabaseException;
import io.trackside.pipeline.GeoDatabases;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trackside geo fetch}: downloads the free country database (and with {@code --asn} the
 * ASN ranges) from the npm registry into {@code data/geo/}, checks that it works, and moves it
 * into place atomically — a running node keeps reading the file it opened, and sees the new one
 * on its next start.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
    description = {"Download the free IP country database (@ip-location-db/geo-whois-asn-country-mmdb, CC BY 4.0, "
        + "data from the NRO) into data/geo/, where Trackside finds it on its next start.",
        "With --asn also the ASN ranges (@ip-location-db/asn, CC BY 4.0: RouteViews, DB-IP, NRO) that flag "
        + "events from cloud and hosting networks as bots."})
final class GeoFetchCommand implements Callable<Integer> {

  static final String COUNTRY_PACKAGE = "@ip-location-db/geo-whois-asn-country-mmdb";
  static final String ASN_PACKAGE = "@ip-location-db/asn";
  static final String COUNTRY_CREDIT = "Country data: geo-whois-asn-country by ip-location-db (github.com/sapics/ip-location-db), "
      + "built from the Regional Internet Registries' data published by the NRO (nro.net), "
      + "licensed CC BY 4.0 (creativecommons.org/licenses/by/4.0/).";
  static final String ASN_CREDIT = "ASN data: asn by ip-location-db (github.com/sapics/ip-location-db), from RouteViews "
      + "(routeviews.org), DB-IP (db-ip.com) and the NRO (nro.net), licensed CC BY 4.0 "
      + "(creativecommons.org/licenses/by/4.0/).";

  @Spec
  CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR", description = "where to put the files (default: data/geo, where `serve` looks with the default data directory)")
  Path dir = Path.of("data", GeoConfig.DEFAULT_DIR);

  @Option(names = "--asn", description = "also fetch the ASN ranges for the hosting-network bot layer (~19 MB download)")
  boolean asn;

  @Option(names = "--force", description = "download even when the files are from the latest version already")
  boolean force;

  @Option(names = "--registry", paramLabel = "URL", description = "npm registry (default: $npm_config_registry, else npm's public registry)")
  String registry;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String from = registry != null ? registry : firstNonBlank(System.getenv("npm_config_registry"),
        System.getenv("NPM_CONFIG_REGISTRY"), NpmPackage.DEFAULT_REGISTRY);
    HttpClient http = NpmPackage.client();
    try {
      Files.createDirectories(dir);
      Path country = fetchCountry(http, from, out);
      Path asnFile = asn ? fetchAsn(http, from, out) : null;
      out.println();
      out.println(COUNTRY_CREDIT);
      if (asnFile != null) {
        out.println(ASN_CREDIT);
      }
      out.println();
      out.println("Trackside uses " + (asnFile != null ? "them" : "it") + " on its next start when " + dir
          + " is <data>/" + GeoConfig.DEFAULT_DIR + " (data: ./data by default). Otherwise name "
          + (asnFile != null ? "them" : "it") + " in trackside.yml:");
      out.println("  enrichment:");
      out.println("    geo:");
      out.println("      database: " + country);
      if (asnFile != null) {
        out.println("      asn-database: " + asnFile);
      }
      out.flush();
      return 0;
    } catch (IOException | GeoDatabaseException e) {
      err.println("geo fetch failed: " + (e.getMessage() == null ? e.toString() : e.getMessage())
          + (e instanceof java.net.ConnectException || e instanceof java.net.http.HttpTimeoutException
              ? " — cannot reach " + from + "; behind a proxy or mirror, pass --registry URL" : ""));
      err.flush();
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("geo fetch interrupted");
      return 130;
    }
  }

  private Path fetchCountry(HttpClient http, String from, PrintWriter out)
      throws IOException, InterruptedException, GeoDatabaseException {
    Path target = dir.resolve(GeoConfig.DEFAULT_COUNTRY_FILE);
    NpmPackage pkg = latest(http, from, COUNTRY_PACKAGE, target, out);
    if (pkg == null) {
      return target;
    }
    Path part = dir.resolve(GeoConfig.DEFAULT_COUNTRY_FILE + ".part");
    download(http, pkg, Map.of("geo-whois-asn-country.mmdb", part), out);
    try (GeoDatabases check = GeoDatabases.open(new GeoConfig(List.of(part), List.of(), Set.of()))) {
      // A database that cannot place Google's resolver is not the one we meant to fetch.
      String us = check.countryOf("8.8.8.8");
      if (!"US".equals(us)) {
        throw new IOException("the downloaded database places 8.8.8.8 in " + us + ", not US; not installing it");
      }
      out.println("  checked: it opens, and 8.8.8.8 is in the US");
    } catch (IOException | GeoDatabaseException e) {
      Files.deleteIfExists(part);
      throw e;
    }
    install(part, target);
    writeAbout(target, pkg, COUNTRY_CREDIT);
    out.println("  wrote " + target + " (" + mb(target) + ")");
    return target;
  }

  private Path fetchAsn(HttpClient http, String from, PrintWriter out)
      throws IOException, InterruptedException, GeoDatabaseException {
    Path target = dir.resolve(GeoConfig.DEFAULT_ASN_FILE);
    NpmPackage pkg = latest(http, from, ASN_PACKAGE, target, out);
    if (pkg == null) {
      return target;
    }
    Path v4 = dir.resolve("asn-ipv4.csv.part");
    Path v6 = dir.resolve("asn-ipv6.csv.part");
    Path part = dir.resolve("asn.part.csv"); // .csv last: the loader tells the format by it
    try {
      download(http, pkg, Map.of("asn-ipv4.csv", v4, "asn-ipv6.csv", v6), out);
      try (OutputStream joined = Files.newOutputStream(part)) {
        for (Path piece : List.of(v4, v6)) {
          try (InputStream in = Files.newInputStream(piece)) {
            in.transferTo(joined);
          }
        }
      }
    } finally {
      Files.deleteIfExists(v4);
      Files.deleteIfExists(v6);
    }
    try (GeoDatabases check = GeoDatabases.open(new GeoConfig(List.of(), List.of(part), Set.of()))) {
      // An address of Amazon's own network (AS16509) must come out as hosting.
      if (!check.isHostingNetwork("52.95.110.1")) {
        throw new IOException("the downloaded ASN data does not place 52.95.110.1 in AWS; not installing it");
      }
      out.println("  checked: it loads, and 52.95.110.1 is in a hosting network (AWS)");
    } catch (IOException | GeoDatabaseException e) {
      Files.deleteIfExists(part);
      throw e;
    }
    install(part, target);
    writeAbout(target, pkg, ASN_CREDIT);
    out.println("  wrote " + target + " (" + mb(target) + ")");
    return target;
  }

  /** The latest version, or null when {@code target} is from it already (and not --force). */
  private NpmPackage latest(HttpClient http, String from, String name, Path target, PrintWriter out)
      throws IOException, InterruptedException {
    out.println("Fetching " + name + " from " + from);
    out.flush();
    NpmPackage pkg = NpmPackage.latest(http, from, name);
    Path about = about(target);
    if (!force && Files.isRegularFile(target) && Files.isRegularFile(about)) {
      List<String> lines = Files.readAllLines(about, StandardCharsets.UTF_8);
      if (!lines.isEmpty() && lines.get(0).equals(pkg.name + "@" + pkg.version)) {
        out.println("  " + target + " is from the latest version (" + pkg.version + ") already; --force downloads it again");
        return null;
      }
    }
    out.println("  version " + pkg.version);
    return pkg;
  }

  private void download(HttpClient http, NpmPackage pkg, Map<String, Path> members, PrintWriter out)
      throws IOException, InterruptedException {
    Path tarball = dir.resolve(".download.tgz.part");
    try {
      pkg.download(http, tarball, out);
      NpmPackage.extract(tarball, new LinkedHashMap<>(members));
    } catch (IOException | InterruptedException | RuntimeException e) {
      for (Path member : members.values()) {
        Files.deleteIfExists(member);
      }
      throw e;
    } finally {
      Files.deleteIfExists(tarball);
    }
  }

  private static void install(Path part, Path target) throws IOException {
    try {
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Next to each file: where it came from (first line, for the up-to-date check) and its licence. */
  private static void writeAbout(Path target, NpmPackage pkg, String credit) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(pkg.name + "@" + pkg.version);
    lines.add("");
    lines.add(credit);
    lines.add("Fetched by `trackside geo fetch` from " + pkg.tarball);
    Path part = about(target).resolveSibling(about(target).getFileName() + ".part");
    Files.write(part, lines, StandardCharsets.UTF_8);
    install(part, about(target));
  }

  static Path about(Path target) {
    return target.resolveSibling(target.getFileName() + ".about.txt");
  }

  private static String mb(Path file) throws IOException {
    return String.format(java.util.Locale.ROOT, "%.1f MB", Files.size(file) / 1e6);
  }

  private static String firstNonBlank(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }
}
