package io.trackside.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which site a referrer is and what channel it stands for: the built-in table
 * ({@code referrers.json} beside this class) plus, optionally, the operator's own file in the
 * same format ({@code enrichment.referrers.file}), whose entries win.
 *
 * <p>A key is a host name, matching itself and every subdomain (facebook.com matches
 * l.facebook.com and lm.facebook.com), or {@code name.*}, matching that name directly under
 * anything that looks like a public suffix: one label (google.de) or a short country
 * second-level domain such as co.uk, com.au, co.jp (google.co.uk, google.com.br) — without the
 * 10,000-line Public Suffix List, and without regular expressions: a lookup is a handful of
 * hash-map probes, one per label of the host. Android app referrers
 * ({@code android-app://com.google.android.gm}) match their package name exactly.
 *
 * <p>Immutable once built, so one table serves every worker.
 */
public final class ReferrerTable {

  /** A known referrer: its source name (google, facebook, gmail) and its channel. */
  public record Referrer(String source, String channel) {
  }

  /** The channels a table entry may name ("direct" is the absence of a referrer, not an entry). */
  static final Set<String> ENTRY_CHANNELS = Set.of("organic_search", "paid_search", "social", "paid_social", "email",
      "ai_assistant", "display", "affiliate", "referral", "internal", "other");

  /** Country second-level domains under which "name.*" entries also match (google.co.uk, google.com.au). */
  private static final Set<String> SECOND_LEVEL = Set.of("co", "com", "net", "org", "ac", "gov", "edu", "ne",
      "or", "go", "gob", "ltd", "plc", "info", "biz");

  /** The longest DNS name. */
  private static final int MAX_HOST_LENGTH = 253;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static volatile ReferrerTable builtIn;

  private final Map<String, Referrer> byHost;
  private final Map<String, Referrer> byName;
  /** The channel each source name stands for (the first entry naming it), for utm_source values. */
  private final Map<String, String> channelBySource;

  private ReferrerTable(Map<String, Referrer> byHost, Map<String, Referrer> byName, Map<String, String> channelBySource) {
    this.byHost = Map.copyOf(byHost);
    this.byName = Map.copyOf(byName);
    this.channelBySource = Map.copyOf(channelBySource);
  }

  /** The table that ships with Trackside. */
  public static ReferrerTable builtIn() {
    ReferrerTable table = builtIn;
    if (table == null) {
      try (InputStream in = ReferrerTable.class.getResourceAsStream("referrers.json")) {
        if (in == null) {
          throw new IllegalStateException("referrers.json is missing from the class path");
        }
        Map<String, Referrer> byHost = new HashMap<>();
        Map<String, Referrer> byName = new HashMap<>();
        Map<String, String> bySource = new LinkedHashMap<>();
        read(JSON.readTree(in), "the built-in referrers.json", byHost, byName, bySource);
        table = new ReferrerTable(byHost, byName, bySource);
        builtIn = table;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return table;
  }

  /**
   * This table with the entries of an operator's file added (its entries win).
   *
   * @throws IllegalArgumentException naming the file and the entry when the file cannot be
   *                                  read or an entry is malformed
   */
  public ReferrerTable withFile(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
    }
    Map<String, Referrer> byHost = new HashMap<>(this.byHost);
    Map<String, Referrer> byName = new HashMap<>(this.byName);
    Map<String, String> bySource = new LinkedHashMap<>(this.channelBySource);
    read(root, file.toAbsolutePath().toString(), byHost, byName, bySource);
    return new ReferrerTable(byHost, byName, bySource);
  }

  /** Reads entries in file order; a source name's channel is that of its first entry (google: organic_search). */
  private static void read(JsonNode root, String origin, Map<String, Referrer> byHost, Map<String, Referrer> byName,
                           Map<String, String> channelBySource) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(origin + " must be a JSON object of host -> {\"source\": ..., \"channel\": ...}");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String key = entry.getKey().strip().toLowerCase(Locale.ROOT);
      if (key.startsWith("_")) {
        continue; // comments
      }
      JsonNode value = entry.getValue();
      String where = origin + ", entry \"" + entry.getKey() + "\"";
      if (key.isEmpty() || key.contains("/") || key.contains(":") || key.contains(" ")) {
        throw new IllegalArgumentException(where + ": a key is a host name such as example.com or name.*");
      }
      String source = value.path("source").asText("").strip();
      String channel = value.path("channel").asText("").strip().toLowerCase(Locale.ROOT);
      if (source.isEmpty()) {
        throw new IllegalArgumentException(where + ": needs a \"source\"");
      }
      if (!ENTRY_CHANNELS.contains(channel)) {
        throw new IllegalArgumentException(where + ": \"channel\" must be one of " + String.join(", ",
            ENTRY_CHANNELS.stream().sorted().toList()) + ", got \"" + value.path("channel").asText("") + "\"");
      }
      Referrer referrer = new Referrer(source.toLowerCase(Locale.ROOT), channel);
      channelBySource.putIfAbsent(referrer.source(), channel);
      if (key.startsWith("www.")) {
        key = key.substring(4);
      }
      if (key.endsWith(".*")) {
        byName.put(key.substring(0, key.length() - 2), referrer);
      } else {
        byHost.put(key, referrer);
      }
    }
  }

  /**
   * The entry for a host (lower-case, without port), the most specific first: the host itself,
   * then each parent domain, each also as "name.*" where the rest is a public suffix. Null when
   * unknown.
   */
  Referrer lookup(String host) {
    if (host == null || host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
      return null; // longer than DNS allows: no site of ours, and a label-by-label walk would be quadratic
    }
    String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    int start = 0;
    while (start < h.length()) {
      String suffix = start == 0 ? h : h.substring(start);
      Referrer found = byHost.get(suffix);
      if (found != null) {
        return found;
      }
      int dot = h.indexOf('.', start);
      if (dot < 0) {
        return null;
      }
      if (!byName.isEmpty() && isPublicSuffix(h, dot + 1)) {
        found = byName.get(h.substring(start, dot));
        if (found != null) {
          return found;
        }
      }
      start = dot + 1;
    }
    return null;
  }

  /** An exact match only: for app package names, where parent "domains" mean nothing. */
  Referrer lookupExact(String name) {
    return name == null ? null : byHost.get(name);
  }

  /** The channel of a source name such as "facebook" or "gmail", or null if no entry names it. */
  String channelOfSource(String source) {
    return source == null ? null : channelBySource.get(source);
  }

  /** The number of entries. */
  public int size() {
    return byHost.size() + byName.size();
  }

  /** One label of letters (de, com, shop), or a known second level plus a two-letter country (co.uk, com.au). */
  private static boolean isPublicSuffix(String h, int start) {
    int dot = h.indexOf('.', start);
    if (dot < 0) {
      return lettersOnly(h, start, h.length()) && h.length() - start >= 2;
    }
    if (h.indexOf('.', dot + 1) >= 0 || h.length() - dot - 1 != 2 || !lettersOnly(h, dot + 1, h.length())) {
      return false;
    }
    return SECOND_LEVEL.contains(h.substring(start, dot));
  }

  private static boolean lettersOnly(String s, int start, int end) {
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (c < 'a' || c > 'z') {
        return false;
      }
    }
    return true;
  }
}
