package io.trackside.collect;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

/**
 * The first-party browser snippet, served by Trackside itself at a path the operator chooses
 * ({@code <path>.js}, its events going to {@code <path>/c}), so a site loads it from its own
 * domain under a name no blocklist knows. Cacheable: an ETag, and immutable caching when the URL
 * carries the content hash ({@code ?v=<hash>}, as {@link #url()} gives it).
 */
public final class Snippet {
  /** The budget the browser pays: the served file, gzipped. */
  public static final int MAX_GZIPPED_BYTES = 1536;
  private static final Pattern SPACE_AROUND_PUNCTUATION = Pattern.compile("\\s*([=,:{}()\\[\\];+|&?<>*/!-])\\s*");

  private final String path;
  private final byte[] script;
  private final byte[] gzipped;
  private final String hash;

  public Snippet(String path) {
    if (!path.startsWith("/") || path.endsWith("/") || path.contains("..")) {
      throw new IllegalArgumentException("the snippet path starts with / and has no trailing /: " + path);
    }
    this.path = path;
    this.script = minified(source()).getBytes(StandardCharsets.UTF_8);
    this.gzipped = gzip(script);
    this.hash = HexFormat.of().formatHex(sha256(script)).substring(0, 12);
  }

  /** The snippet's source as shipped in the jar. */
  static String source() {
    try (InputStream in = Snippet.class.getResourceAsStream("/snippet/trackside.js")) {
      if (in == null) {
        throw new IllegalStateException("snippet/trackside.js is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Comment lines and indentation dropped, and the spaces around punctuation: a minifier of a
   * few lines, safe because the source is written for it (no spaces next to punctuation inside
   * its strings and regular expressions; every statement ends with a semicolon).
   */
  static String minified(String source) {
    return source.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("//"))
        .map(l -> SPACE_AROUND_PUNCTUATION.matcher(l).replaceAll("$1"))
        .collect(Collectors.joining("\n"));
  }

  public byte[] script() {
    return script.clone();
  }

  public int gzippedSize() {
    return gzipped.length;
  }

  /** The URL to put in the page: with the content hash, so a new version is fetched at once. */
  public String url() {
    return path + ".js?v=" + hash;
  }

  /** The collect endpoint the snippet posts to, found by the snippet itself from its own URL. */
  public String collectPath() {
    return path + "/c";
  }

  /** GET {@code <path>.js}; the collect endpoint is mounted by the collector. */
  public void mount(Router router) {
    router.get(path + ".js").handler(this::serve);
  }

  private void serve(RoutingContext ctx) {
    String etag = "\"" + hash + "\"";
    var response = ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/javascript; charset=utf-8")
        .putHeader(HttpHeaders.ETAG, etag)
        .putHeader(HttpHeaders.VARY, "Accept-Encoding")
        .putHeader(HttpHeaders.CACHE_CONTROL, hash.equals(ctx.request().getParam("v"))
            ? "public, max-age=31536000, immutable" : "public, max-age=300");
    if (etag.equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      response.setStatusCode(304).end();
      return;
    }
    String accepts = ctx.request().getHeader(HttpHeaders.ACCEPT_ENCODING);
    if (accepts != null && accepts.contains("gzip")) {
      response.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip").end(Buffer.buffer(gzipped));
    } else {
      response.end(Buffer.buffer(script));
    }
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out) {
      {
        def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
      }
    }) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
