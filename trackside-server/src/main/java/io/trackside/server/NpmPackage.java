package io.trackside.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * One package of an npm registry, fetched the way npm does it: the registry's document for
 * {@code <name>/latest} names the tarball and its SHA-512 ("integrity"); the tarball is a gzipped
 * tar with the files under {@code package/}. Plain JDK (HTTP client, GZIP, a small tar reader):
 * no npm needed on the server.
 */
final class NpmPackage {
  /** npm's own default; {@code --registry} or npm's {@code npm_config_registry} variable override it. */
  static final String DEFAULT_REGISTRY = "https://registry.npmjs.org/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  final String name;
  final String version;
  final URI tarball;
  /** "sha512-<base64>", or null when the registry gives none (then shasum, SHA-1 in hex). */
  final String integrity;
  final String shasum;

  private NpmPackage(String name, String version, URI tarball, String integrity, String shasum) {
    this.name = name;
    this.version = version;
    this.tarball = tarball;
    this.integrity = integrity;
    this.shasum = shasum;
  }

  static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  /** The latest version's tarball and checksum, from the registry's document for the package. */
  static NpmPackage latest(HttpClient http, String registry, String name) throws IOException, InterruptedException {
    String base = registry.endsWith("/") ? registry : registry + "/";
    URI uri = URI.create(base + name + "/latest"); // a scoped name ("@scope/name") as it is

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("the registry answered " + response.statusCode() + " for " + uri);
    }
    JsonNode doc = JSON.readTree(response.body());
    String version = doc.path("version").asText("");
    String tarball = doc.path("dist").path("tarball").asText("");
    if (version.isEmpty() || tarball.isEmpty()) {
      throw new IOException(uri + " names no version or tarball");
    }
    String integrity = doc.path("dist").path("integrity").asText(null);
    return new NpmPackage(name, version, URI.create(tarball), integrity, doc.path("dist").path("shasum").asText(null));
  }

  /** Downloads the tarball to {@code file}, printing progress, and checks its checksum. */
  void download(HttpClient http, Path file, PrintWriter out) throws IOException, InterruptedException {
    HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(tarball).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      response.body().close();
      throw new IOException("the registry answered " + response.statusCode() + " for " + tarball);
    }
    long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    boolean sha512 = integrity != null && integrity.startsWith("sha512-");
    MessageDigest digest = digest(sha512 ? "SHA-512" : "SHA-1");
    long done = 0;
    int shownTenths = -1;
    try (InputStream in = response.body(); OutputStream fileOut = Files.newOutputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) > 0) {
        fileOut.write(buffer, 0, n);
        digest.update(buffer, 0, n);
        done += n;
        int tenths = total > 0 ? (int) (done * 10 / total) : -1;
        if (tenths > shownTenths) {
          shownTenths = tenths;
          out.printf(Locale.ROOT, "  %s  %.1f of %.1f MB%n", tenths * 10 + "%", done / 1e6, total / 1e6);
          out.flush();
        }
      }
    }
    if (total <= 0) {
      out.printf(Locale.ROOT, "  %.1f MB%n", done / 1e6);
    }
    byte[] actual = digest.digest();
    if (sha512) {
      String expected = integrity.substring("sha512-".length());
      if (!Base64.getEncoder().encodeToString(actual).equals(expected)) {
        throw new IOException("the download of " + name + "@" + version + " does not match its SHA-512 checksum; try again");
      }
    } else if (shasum != null && !java.util.HexFormat.of().formatHex(actual).equalsIgnoreCase(shasum)) {
      throw new IOException("the download of " + name + "@" + version + " does not match its SHA-1 checksum; try again");
    } else if (shasum == null) {
      throw new IOException("the registry gives no checksum for " + name + "@" + version + "; not trusting the download");
    }
  }

  /**
   * Extracts the named files (paths inside the package, e.g. "geo-whois-asn-country.mmdb") from
   * a downloaded tarball into {@code targets}; fails when one is missing.
   */
  static void extract(Path tarball, Map<String, Path> targets) throws IOException {
    Map<String, Path> wanted = new HashMap<>();
    targets.forEach((member, target) -> wanted.put("package/" + member, target));
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tarball), 64 * 1024)) {
      byte[] header = new byte[512];
      while (readFully(in, header)) {
        if (allZero(header)) {
          break; // end of archive
        }
        String name = field(header, 0, 100);
        String prefix = field(header, 345, 155);
        String path = prefix.isEmpty() ? name : prefix + "/" + name;
        long size = octal(header, 124, 12);
        char type = (char) header[156];
        Path target = (type == '0' || type == 0) ? wanted.remove(path) : null;
        if (target != null) {
          try (OutputStream out = Files.newOutputStream(target)) {
            copy(in, out, size);
          }
        } else {
          skip(in, size);
        }
        skip(in, (512 - size % 512) % 512);
      }
    }
    if (!wanted.isEmpty()) {
      throw new IOException("the package has no " + String.join(", ", Set.copyOf(wanted.keySet())));
    }
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JDK", e);
    }
  }

  private static boolean readFully(InputStream in, byte[] block) throws IOException {
    int read = in.readNBytes(block, 0, block.length);
    if (read == 0) {
      return false;
    }
    if (read < block.length) {
      throw new IOException("the package tarball is truncated");
    }
    return true;
  }

  private static boolean allZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static String field(byte[] header, int from, int length) {
    int end = from;
    while (end < from + length && header[end] != 0) {
      end++;
    }
    return new String(header, from, end - from, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] header, int from, int length) throws IOException {
    String text = field(header, from, length).trim();
    try {
      return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    } catch (NumberFormatException e) {
      throw new IOException("the package tarball has a damaged header (size '" + text + "')");
    }
  }

  private static void copy(InputStream in, OutputStream out, long size) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long left = size;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new IOException("the package tarball is truncated");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  private static void skip(InputStream in, long bytes) throws IOException {
    long left = bytes;
    while (left > 0) {
      long n = in.skip(left);
      if (n <= 0) {
        if (in.read() < 0) {
          throw new IOException("the package tarball is truncated");
        }
        n = 1;
      }
      left -= n;
    }
  }
}
