package io.trackside.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.trackside.destination.DestinationConfig;
import io.trackside.destination.Destinations;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.trackside.core.IntakeLimits;
import io.trackside.dashboard.DashboardConfig;
import io.trackside.dashboard.PasswordHash;
import io.trackside.log.EmbeddedLogConfig;
import io.trackside.log.KafkaLogConfig;
import io.trackside.pipeline.AttributionConfig;
import io.trackside.pipeline.GeoConfig;
import io.trackside.pipeline.PiiPolicy;
import io.trackside.pipeline.PipelineConfig;
import io.trackside.pipeline.TrackingPlanConfig;
import io.trackside.pipeline.ReferrerTable;
import io.trackside.warehouse.DuckDbWarehouse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the {@link Config} from three layers, each overriding the one before: the YAML config
 * file, then {@code TRACKSIDE_*} environment variables, then command-line flags. On first start
 * (no config file) it writes a commented sample with a generated write key and admin token, so
 * a newcomer has a working, documented file to edit.
 */
final class ConfigLoader {
  static final Path DEFAULT_CONFIG = Path.of("trackside.yml");

  /** Every scalar setting, by its dotted path in the YAML; its variable is TRACKSIDE_ + upper snake case. */
  static final List<String> SCALAR_SETTINGS = List.of(
      "server.host", "server.port", "server.trust-forwarded-for", "data", "admin-token", "write-key", "roles",
      "workers", "background-nice", "limits.max-event-bytes", "limits.max-request-bytes", "limits.max-batch-events",
      "log.partitions", "log.segment-bytes", "log.retention-age", "log.retention-bytes", "log.max-bytes",
      "log.min-free-disk", "log.max-queued-bytes", "log.type", "log.kafka.bootstrap-servers", "log.kafka.topic",
      "log.kafka.partitions", "log.kafka.replication", "log.kafka.max-in-flight-bytes", "log.kafka.append-timeout",
      "warehouse.dedupe-window", "warehouse.memory-limit", "warehouse.type", "warehouse.postgresql.url",
      "warehouse.postgresql.mirror-interval", "privacy.store-raw-ip",
      "tracking-plan.file", "tracking-plan.mode", "tracking-plan.unplanned",
      "enrichment.user-agent", "bots.drop", "bots.behaviour-max-pages", "bots.behaviour-window",
      "enrichment.url.scrub-params", "enrichment.referrers.file", "privacy.pii.default",
      "privacy.cookieless", "sessions.timeout", "sessions.time-zone",
      GeoConfig.DATABASE_SETTING, GeoConfig.ASN_DATABASE_SETTING, GeoConfig.HOSTING_ASNS_SETTING,
      "dashboard.password-hash", "dashboard.password", "dashboard.secure-cookie", "dashboard.session-idle");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What happened while loading, for the start-up log. */
  record Loaded(Config config, boolean sampleWritten, List<String> notes) {
  }

  private ConfigLoader() {
  }

  static String envName(String setting) {
    return "TRACKSIDE_" + setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * @param configFlag the --config flag, or null
   * @param env        the environment (System.getenv() in production)
   * @param flags      dotted setting → value for the flags that were given
   */
  static Loaded load(Path configFlag, Map<String, String> env, Map<String, String> flags) throws ConfigException {
    Path file = configFlag != null ? configFlag
        : env.containsKey("TRACKSIDE_CONFIG") ? Path.of(env.get("TRACKSIDE_CONFIG")) : DEFAULT_CONFIG;
    List<String> notes = new ArrayList<>();
    boolean sampleWritten = false;
    String generatedPassword = null;
    ObjectNode tree;
    if (Files.exists(file)) {
      tree = readYaml(file);
    } else {
      String writeKey = firstNonNull(flags.get("write-key"), env.get(envName("write-key")), "wk_" + randomHex(16));
      String adminToken = firstNonNull(flags.get("admin-token"), env.get(envName("admin-token")), "at_" + randomHex(24));
      String givenPassword = firstNonNull(flags.get("dashboard.password"), env.get(envName("dashboard.password")));
      String password = givenPassword != null ? givenPassword : PasswordHash.generatePassword();
      // Only the hash is written; a generated password is printed once at start-up and never again.
      generatedPassword = givenPassword != null ? null : password;
      String sample = sampleConfig(writeKey, adminToken, PasswordHash.hash(password));
      try {
        if (file.toAbsolutePath().getParent() != null) {
          Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, sample, StandardCharsets.UTF_8);
        sampleWritten = true;
        notes.add("wrote a commented sample config to " + file.toAbsolutePath() + " — edit it to add sources and change settings");
      } catch (IOException e) {
        notes.add("could not write a sample config to " + file.toAbsolutePath() + " (" + e.getMessage()
            + "); running with generated keys that will change on the next start — pass --write-key and --admin-token");
      }
      tree = parseYaml(sample, file);
    }
    for (String setting : SCALAR_SETTINGS) {
      String value = env.get(envName(setting));
      if (value != null) {
        set(tree, setting, value);
      }
    }
    flags.forEach((setting, value) -> set(tree, setting, value));
    Config config = bind(tree, file, generatedPassword);
    if (generatedPassword == null && config.dashboard().generatedPassword() != null) {
      notes.add("the config sets no dashboard.password-hash: the dashboard password printed below works until the"
          + " next start; set your own with ./trackside hash-password");
    }
    return new Loaded(config, sampleWritten, notes);
  }

  /**
   * One scalar setting as the server would see it, for commands that talk to a running server
   * (its environment variable, else the config file) — without writing a sample file when there
   * is none. Null when neither says.
   */
  static String peek(Path configFlag, Map<String, String> env, String setting) throws ConfigException {
    String fromEnv = env.get(envName(setting));
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    Path file = configFlag != null ? configFlag
        : env.containsKey("TRACKSIDE_CONFIG") ? Path.of(env.get("TRACKSIDE_CONFIG")) : DEFAULT_CONFIG;
    if (!Files.exists(file)) {
      return null;
    }
    return new Reader(readYaml(file)).text(setting, null);
  }

  private static ObjectNode readYaml(Path file) throws ConfigException {
    try {
      return parseYaml(Files.readString(file, StandardCharsets.UTF_8), file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file.toAbsolutePath() + ": " + e.getMessage());
    }
  }

  private static ObjectNode parseYaml(String text, Path file) throws ConfigException {
    try {
      JsonNode node = YAML.readTree(text);
      if (node == null || node.isMissingNode() || node.isNull()) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!node.isObject()) {
        throw new ConfigException("config file " + file + " must hold a YAML mapping of settings");
      }
      return (ObjectNode) node;
    } catch (IOException e) {
      throw new ConfigException("config file " + file.toAbsolutePath() + " is not valid YAML: " + e.getMessage());
    }
  }

  private static void set(ObjectNode tree, String dotted, String value) {
    String[] parts = dotted.split("\\.");
    ObjectNode node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (child == null || !child.isObject()) {
        child = node.putObject(parts[i]);
      }
      node = (ObjectNode) child;
    }
    node.put(parts[parts.length - 1], value);
  }

  private static Config bind(ObjectNode tree, Path file, String generatedPassword) throws ConfigException {
    Reader r = new Reader(tree);
    List<Config.Source> sources = new ArrayList<>();
    JsonNode sourceNodes = tree.path("sources");
    if (!sourceNodes.isMissingNode() && !sourceNodes.isNull() && !sourceNodes.isArray()) {
      throw new ConfigException("sources must be a list of {name, write-key, measurement-ids}");
    }
    Map<String, String> keyOwners = new LinkedHashMap<>();
    Map<String, String> measurementIdOwners = new LinkedHashMap<>();
    String flagKey = r.text("write-key", null);
    if (flagKey != null) {
      sources.add(new Config.Source("default", flagKey, List.of()));
      keyOwners.put(flagKey, "default");
    }
    for (JsonNode node : sourceNodes) {
      String name = node.path("name").asText("");
      String key = node.path("write-key").asText("");
      List<String> measurementIds = measurementIds(node);
      if (name.isBlank() || (key.isBlank() && measurementIds.isEmpty())) {
        throw new ConfigException("each entry of sources needs a name and a write-key (Segment API) or"
            + " measurement-ids (gtag.js), got " + node);
      }
      for (String id : measurementIds) {
        String owner = measurementIdOwners.putIfAbsent(id, name);
        if (owner != null) {
          throw new ConfigException("sources " + owner + " and " + name + " both list the measurement id " + id
              + "; a gtag hit must belong to one source");
        }
      }
      if (flagKey != null && name.equals("default")) {
        // --write-key / TRACKSIDE_WRITE_KEY redefines the default source's key; its measurement ids stay
        sources.set(0, new Config.Source("default", flagKey, measurementIds));
        continue;
      }
      if (!key.isBlank()) {
        if (keyOwners.containsKey(key)) {
          throw new ConfigException("sources " + keyOwners.get(key) + " and " + name + " share a write key; each source needs its own");
        }
        keyOwners.put(key, name);
      }
      sources.add(new Config.Source(name, key.isBlank() ? null : key, measurementIds));
    }
    if (sources.isEmpty()) {
      throw new ConfigException("no source is configured, so no event could be accepted: add one under sources: in "
          + file.toAbsolutePath() + " or pass --write-key KEY");
    }
    String adminToken = r.text("admin-token", null);
    if (adminToken == null || adminToken.length() < 16) {
      throw new ConfigException("admin-token must be set and at least 16 characters long (config admin-token, "
          + "TRACKSIDE_ADMIN_TOKEN or --admin-token)");
    }
    List<String> origins = new ArrayList<>();
    JsonNode originNodes = tree.path("server").path("cors-origins");
    if (originNodes.isArray()) {
      originNodes.forEach(o -> origins.add(o.asText()));
    } else {
      origins.add("*");
    }
    IntakeLimits defaults = IntakeLimits.segmentDefaults();
    IntakeLimits limits = new IntakeLimits(
        (int) r.size("limits.max-event-bytes", defaults.maxEventBytes()),
        (int) r.size("limits.max-request-bytes", defaults.maxRequestBytes()),
        r.integer("limits.max-batch-events", defaults.maxBatchEvents()),
        defaults.maxNestingDepth());
    Path dataDir = Path.of(r.text("data", "data"));
    EmbeddedLogConfig logDefaults = EmbeddedLogConfig.defaults(dataDir.resolve("log"));
    EmbeddedLogConfig log;
    try {
      log = new EmbeddedLogConfig(logDefaults.dir(),
        r.integer("log.partitions", logDefaults.partitions()),
        r.size("log.segment-bytes", logDefaults.segmentBytes()),
        r.duration("log.retention-age", logDefaults.retentionAge()),
        r.size("log.retention-bytes", logDefaults.retentionBytes()),
        r.size("log.max-bytes", logDefaults.maxBytes()),
        r.size("log.min-free-disk", logDefaults.minFreeDiskBytes()),
        r.size("log.max-queued-bytes", logDefaults.maxQueuedBytes()), true);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("log settings: " + e.getMessage());
    }
    KafkaLogConfig kafkaLog = kafkaLog(r, log.partitions());
    PostgresWarehouseConfig postgresWarehouse = postgresWarehouse(r);
    NodeRoles roles = roles(r, kafkaLog != null, postgresWarehouse != null);
    return new Config(file, r.text("server.host", "0.0.0.0"), r.integer("server.port", 8080),
        dataDir, adminToken, r.bool("server.trust-forwarded-for", false), origins,
        List.copyOf(sources), r.integer("workers", defaultWorkers()), backgroundNice(r), limits, log, kafkaLog, r.integer("warehouse.dedupe-window", 2_000_000),
        memoryLimit(r), postgresWarehouse, roles,
        pipeline(r, tree, sources, dataDir), destinations(tree), snippetPath(r), dashboard(r, generatedPassword));
  }

  /** The Kafka log's settings when {@code log.type} is {@code kafka}; null for the embedded log. */
  private static KafkaLogConfig kafkaLog(Reader r, int embeddedPartitions) throws ConfigException {
    String type = r.text("log.type", "embedded").trim().toLowerCase(Locale.ROOT);
    switch (type) {
      case "embedded":
        return null;
      case "kafka":
        break;
      default:
        throw new ConfigException("log.type must be embedded or kafka, got '" + type + "'");
    }
    String servers = r.text("log.kafka.bootstrap-servers", null);
    if (servers == null || servers.isBlank()) {
      throw new ConfigException("log.type is kafka: set log.kafka.bootstrap-servers (host:port,...)");
    }
    KafkaLogConfig defaults = KafkaLogConfig.defaults(servers.trim());
    int replication = r.integer("log.kafka.replication", defaults.replication());
    if (replication > Short.MAX_VALUE) {
      throw new ConfigException("log.kafka.replication is too large: " + replication);
    }
    try {
      return new KafkaLogConfig(defaults.bootstrapServers(), r.text("log.kafka.topic", defaults.topic()).trim(),
          r.integer("log.kafka.partitions", embeddedPartitions), (short) replication,
          r.size("log.kafka.max-in-flight-bytes", defaults.maxInFlightBytes()),
          r.duration("log.kafka.append-timeout", defaults.appendTimeout()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("log.kafka settings: " + e.getMessage());
    }
  }

  /**
   * The node's roles. Splitting them needs the shared components: with the embedded log only the
   * node itself can read what it collects, and a dashboard or a deliverer without a process role
   * needs the shared warehouse (the dashboard's data; the destinations' leases, pauses and dead
   * letters).
   */
  private static NodeRoles roles(Reader r, boolean kafkaLog, boolean postgresWarehouse) throws ConfigException {
    NodeRoles roles;
    try {
      roles = NodeRoles.parse(r.text("roles", "all"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    if (roles.all()) {
      return roles;
    }
    if (!kafkaLog) {
      throw new ConfigException("roles: " + roles + " needs log.type: kafka — with the embedded log, the events a"
          + " node collects can only be processed by that node; use roles: all (docs/SCALING.md)");
    }
    if (roles.has(NodeRoles.Role.DASHBOARD) && !roles.has(NodeRoles.Role.PROCESS) && !postgresWarehouse) {
      throw new ConfigException("roles: a dashboard without process needs warehouse.type: postgresql — the DuckDB"
          + " warehouse is written by this node's process role only (docs/SCALING.md)");
    }
    if (roles.has(NodeRoles.Role.DELIVER) && !roles.has(NodeRoles.Role.PROCESS) && !postgresWarehouse) {
      // On Kafka the enriched events are a shared topic, but the deliveries' leases, pauses and
      // dead letters live in the shared PostgreSQL; a DuckDB warehouse is this process node's own.
      throw new ConfigException("roles: deliver without process needs warehouse.type: postgresql — the"
          + " destinations' leases, pauses and dead letters are kept in the shared warehouse (docs/SCALING.md)");
    }
    return roles;
  }

  /** The shared warehouse's settings when {@code warehouse.type} is {@code postgresql}; null for DuckDB. */
  private static PostgresWarehouseConfig postgresWarehouse(Reader r) throws ConfigException {
    String type = r.text("warehouse.type", "duckdb").trim().toLowerCase(Locale.ROOT);
    switch (type) {
      case "duckdb":
        return null;
      case "postgresql":
        break;
      default:
        throw new ConfigException("warehouse.type must be duckdb or postgresql, got '" + type + "'");
    }
    String url = r.text("warehouse.postgresql.url", null);
    if (url == null || url.isBlank()) {
      throw new ConfigException("warehouse.type is postgresql: set warehouse.postgresql.url"
          + " (jdbc:postgresql://host:5432/database?user=...&password=...)");
    }
    try {
      return new PostgresWarehouseConfig(url.trim(),
          r.duration("warehouse.postgresql.mirror-interval", PostgresWarehouseConfig.DEFAULT_MIRROR_INTERVAL));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /** The nice value of the work behind the log (pipeline, delivery, rollup): 0 to 19. */
  private static int backgroundNice(Reader r) throws ConfigException {
    int nice = r.integer("background-nice", io.trackside.pipeline.BackgroundPriority.DEFAULT_NICE);
    if (nice > 19) {
      throw new ConfigException("background-nice must be 0 to 19 (a Linux nice value; 0 = as the collector), got " + nice);
    }
    return nice;
  }

  /** DuckDB's memory limit in its own syntax, checked here so that a typo is a config error, not a start-up crash. */
  private static String memoryLimit(Reader r) throws ConfigException {
    String text = r.text("warehouse.memory-limit", DuckDbWarehouse.DEFAULT_MEMORY_LIMIT).trim();
    if (!text.matches("(?i)\\d+(\\.\\d+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)")) {
      throw new ConfigException("warehouse.memory-limit must be a size such as 512MB or 2GB, got '" + text + "'");
    }
    return text;
  }

  /**
   * The sign-in password: dashboard.password (clear, from a flag or the environment) wins over
   * dashboard.password-hash; with neither, one is made up for this run and printed.
   */
  private static DashboardConfig dashboard(Reader r, String generatedPassword) throws ConfigException {
    String password = r.text("dashboard.password", null);
    String hash = r.text("dashboard.password-hash", null);
    String generated = generatedPassword;
    if (password != null) {
      if (password.length() < 8) {
        throw new ConfigException("dashboard.password must be at least 8 characters long");
      }
      hash = PasswordHash.hash(password);
      generated = null;
    } else if (hash == null || hash.isBlank()) {
      generated = PasswordHash.generatePassword();
      hash = PasswordHash.hash(generated);
    } else if (!PasswordHash.isWellFormed(hash)) {
      throw new ConfigException("dashboard.password-hash is not a hash made by ./trackside hash-password"
          + " (pbkdf2-sha256$<iterations>$<salt>$<hash>)");
    }
    Duration idle = r.duration("dashboard.session-idle", DashboardConfig.DEFAULT_SESSION_IDLE);
    return new DashboardConfig(hash, generated, r.bool("dashboard.secure-cookie", false), idle);
  }

  private static String snippetPath(Reader r) throws ConfigException {
    String path = r.text("snippet.path", "/static/site");
    try {
      new io.trackside.collect.Snippet(path);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("snippet.path: " + e.getMessage());
    }
    return path;
  }

  private static final Pattern MEASUREMENT_ID = Pattern.compile("G-[A-Z0-9]{4,20}");

  /**
   * A source's GA4 measurement ids ({@code G-…}), upper-cased (gtag hits are matched without
   * regard to case): the gtag.js hits whose {@code tid} names one belong to this source.
   */
  private static List<String> measurementIds(JsonNode source) throws ConfigException {
    JsonNode node = source.path("measurement-ids");
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode item : node.isArray() ? node : JsonNodeFactory.instance.arrayNode().add(node)) {
      for (String part : item.asText("").split(",")) {
        String id = part.strip().toUpperCase(Locale.ROOT);
        if (!MEASUREMENT_ID.matcher(id).matches() || !item.isValueNode()) {
          throw new ConfigException("measurement-ids of source " + source.path("name").asText("?")
              + " must be GA4 measurement ids such as G-ABC123DEF4 (Admin → Data streams), got " + item);
        }
        if (!ids.contains(id)) {
          ids.add(id);
        }
      }
    }
    return List.copyOf(ids);
  }

  private static List<DestinationConfig> destinations(ObjectNode tree) throws ConfigException {
    try {
      return Destinations.parse(tree.get("destinations"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("destinations: " + e.getMessage());
    }
  }

  private static PipelineConfig pipeline(Reader r, ObjectNode tree, List<Config.Source> sources, Path dataDir)
      throws ConfigException {
    PipelineConfig defaults = PipelineConfig.defaults();
    int behaviourMaxPages = r.integer("bots.behaviour-max-pages", defaults.behaviourMaxPages());
    if (behaviourMaxPages > PipelineConfig.MAX_BEHAVIOUR_PAGES) {
      throw new ConfigException("bots.behaviour-max-pages must be between 0 (off) and "
          + PipelineConfig.MAX_BEHAVIOUR_PAGES + ", got " + behaviourMaxPages);
    }
    Duration behaviourWindow = r.duration("bots.behaviour-window", defaults.behaviourWindow());
    if (behaviourWindow.isZero()) {
      throw new ConfigException("bots.behaviour-window must be longer than 0, got '"
          + r.text("bots.behaviour-window", "") + "'");
    }
    Duration timeout = r.duration("sessions.timeout", defaults.sessionTimeout());
    if (timeout.isZero()) {
      throw new ConfigException("sessions.timeout must be longer than 0, got '" + r.text("sessions.timeout", "") + "'");
    }
    return new PipelineConfig(r.bool("privacy.store-raw-ip", defaults.storeRawIp()),
        r.bool("enrichment.user-agent", defaults.userAgent()),
        r.bool("bots.drop", defaults.dropBots()),
        behaviourMaxPages,
        behaviourWindow,
        trackingPlan(r, tree, sources),
        attribution(r),
        pii(r, tree),
        r.bool("privacy.cookieless", defaults.cookieless()),
        timeout,
        r.zone("sessions.time-zone", defaults.timeZone()),
        geo(r, dataDir));
  }

  /**
   * The IP databases. Unset, a database that {@code trackside geo fetch} put under the data
   * directory is used; "off" turns it off even then.
   */
  private static GeoConfig geo(Reader r, Path dataDir) throws ConfigException {
    Path fetched = dataDir.resolve(GeoConfig.DEFAULT_DIR);
    List<Path> databases = r.paths(GeoConfig.DATABASE_SETTING, fetched.resolve(GeoConfig.DEFAULT_COUNTRY_FILE));
    List<Path> asnDatabases = r.paths(GeoConfig.ASN_DATABASE_SETTING, fetched.resolve(GeoConfig.DEFAULT_ASN_FILE));
    Set<Long> hostingAsns = new TreeSet<>();
    for (String item : r.list(GeoConfig.HOSTING_ASNS_SETTING)) {
      String digits = item.regionMatches(true, 0, "AS", 0, 2) ? item.substring(2) : item;
      long asn;
      try {
        asn = Long.parseLong(digits.trim());
      } catch (NumberFormatException e) {
        asn = 0;
      }
      if (asn <= 0 || asn > 0xFFFF_FFFFL) {
        throw new ConfigException(GeoConfig.HOSTING_ASNS_SETTING + " must list AS numbers such as 16509 or AS16509, got '" + item + "'");
      }
      hostingAsns.add(asn);
    }
    return new GeoConfig(databases, asnDatabases, hostingAsns);
  }

  /**
   * tracking-plan.file, .mode, .unplanned and, per source, tracking-plan.sources.NAME.mode and
   * .unplanned (what a source leaves out, it takes from the defaults).
   */
  private static TrackingPlanConfig trackingPlan(Reader r, ObjectNode tree, List<Config.Source> sources)
      throws ConfigException {
    String file = r.text("tracking-plan.file", null);
    TrackingPlanConfig.Rules defaults = new TrackingPlanConfig.Rules(
        planMode("tracking-plan.mode", r.text("tracking-plan.mode", "allow")),
        unplanned("tracking-plan.unplanned", r.text("tracking-plan.unplanned", "allow")));
    Map<String, TrackingPlanConfig.Rules> bySource = new LinkedHashMap<>();
    JsonNode sourceRules = tree.path("tracking-plan").path("sources");
    if (!sourceRules.isMissingNode() && !sourceRules.isNull()) {
      if (!sourceRules.isObject()) {
        throw new ConfigException("tracking-plan.sources must map source names to {mode, unplanned}");
      }
      List<String> known = sources.stream().map(Config.Source::name).toList();
      for (Iterator<Map.Entry<String, JsonNode>> it = sourceRules.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        String setting = "tracking-plan.sources." + entry.getKey();
        if (!known.contains(entry.getKey())) {
          throw new ConfigException(setting + ": there is no source named '" + entry.getKey() + "' (sources: "
              + String.join(", ", known) + ")");
        }
        JsonNode rules = entry.getValue();
        if (!rules.isObject()) {
          throw new ConfigException(setting + " must be a mapping with mode and/or unplanned");
        }
        bySource.put(entry.getKey(), new TrackingPlanConfig.Rules(
            rules.hasNonNull("mode") ? planMode(setting + ".mode", rules.get("mode").asText()) : defaults.mode(),
            rules.hasNonNull("unplanned") ? unplanned(setting + ".unplanned", rules.get("unplanned").asText())
                : defaults.unplanned()));
      }
    }
    if (file == null && !bySource.isEmpty()) {
      throw new ConfigException("tracking-plan.sources is set but tracking-plan.file is not: without a plan file"
          + " nothing is checked");
    }
    return new TrackingPlanConfig(file == null || file.isBlank() ? null : Path.of(file), defaults, bySource);
  }

  private static TrackingPlanConfig.Mode planMode(String setting, String text) throws ConfigException {
    try {
      return TrackingPlanConfig.Mode.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(setting + " must be allow or block, got '" + text + "'");
    }
  }

  private static TrackingPlanConfig.Unplanned unplanned(String setting, String text) throws ConfigException {
    try {
      return TrackingPlanConfig.Unplanned.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(setting + " must be allow, flag or block, got '" + text + "'");
    }
  }

  /** enrichment.url.scrub-params (a YAML list, or comma-separated text from the environment) and enrichment.referrers.file. */
  private static AttributionConfig attribution(Reader r) throws ConfigException {
    AttributionConfig defaults = AttributionConfig.defaults();
    Set<String> scrubParams = r.list("enrichment.url.scrub-params", defaults.scrubParams());
    ReferrerTable referrers = defaults.referrers();
    String file = r.text("enrichment.referrers.file", null);
    if (file != null && !file.isBlank()) {
      try {
        referrers = referrers.withFile(Path.of(file.strip()));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("enrichment.referrers.file: " + e.getMessage());
      }
    }
    return new AttributionConfig(scrubParams, referrers);
  }

  /** privacy.pii.default and the privacy.pii.fields mapping of field path or name to keep, hash or drop. */
  private static PiiPolicy pii(Reader r, ObjectNode tree) throws ConfigException {
    PiiPolicy.Action defaultAction = piiAction("privacy.pii.default",
        r.text("privacy.pii.default", PiiPolicy.defaults().defaultAction().toString()));
    Map<String, PiiPolicy.Action> fields = new LinkedHashMap<>();
    JsonNode fieldNodes = tree.path("privacy").path("pii").path("fields");
    if (!fieldNodes.isMissingNode() && !fieldNodes.isNull()) {
      if (!fieldNodes.isObject()) {
        throw new ConfigException("privacy.pii.fields must map field paths (traits.email) or names (email) to keep,"
            + " hash or drop");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = fieldNodes.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        fields.put(entry.getKey(), piiAction("privacy.pii.fields." + entry.getKey(), entry.getValue().asText()));
      }
    }
    try {
      return new PiiPolicy(defaultAction, fields);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static PiiPolicy.Action piiAction(String setting, String text) throws ConfigException {
    try {
      return PiiPolicy.Action.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(setting + " must be keep, hash or drop, got '" + text + "'");
    }
  }

  /** Reads typed scalars by dotted path, with errors that name the setting. */
  private record Reader(ObjectNode tree) {
    private JsonNode node(String dotted) {
      JsonNode node = tree;
      for (String part : dotted.split("\\.")) {
        node = node.path(part);
      }
      return node.isMissingNode() || node.isNull() ? null : node;
    }

    String text(String dotted, String fallback) {
      JsonNode node = node(dotted);
      return node == null ? fallback : node.asText();
    }

    int integer(String dotted, int fallback) throws ConfigException {
      String text = text(dotted, null);
      if (text == null) {
        return fallback;
      }
      try {
        int value = Integer.parseInt(text.trim());
        if (value < 0) {
          throw new NumberFormatException();
        }
        return value;
      } catch (NumberFormatException e) {
        throw new ConfigException(dotted + " must be a whole number ≥ 0, got '" + text + "'");
      }
    }

    boolean bool(String dotted, boolean fallback) throws ConfigException {
      String text = text(dotted, null);
      if (text == null) {
        return fallback;
      }
      return switch (text.trim().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on", "1" -> true;
        case "false", "no", "off", "0" -> false;
        default -> throw new ConfigException(dotted + " must be true or false, got '" + text + "'");
      };
    }

    long size(String dotted, long fallback) throws ConfigException {
      String text = text(dotted, null);
      return text == null ? fallback : parseSize(dotted, text);
    }

    /** A YAML list, or one string of comma-separated items (as environment variables give it). */
    List<String> list(String dotted) throws ConfigException {
      JsonNode node = node(dotted);
      List<String> items = new ArrayList<>();
      if (node == null) {
        return items;
      }
      if (node.isArray()) {
        for (JsonNode item : node) {
          if (!item.isValueNode() || item.asText().isBlank()) {
            throw new ConfigException(dotted + " must be a list of values, got " + node);
          }
          items.add(item.asText().trim());
        }
      } else if (node.isValueNode()) {
        for (String item : node.asText().split(",")) {
          if (!item.isBlank()) {
            items.add(item.trim());
          }
        }
      } else {
        throw new ConfigException(dotted + " must be a list or a comma-separated string, got " + node);
      }
      return items;
    }

    /**
     * File paths (a list or comma-separated); unset: the fallback when that file exists, else
     * none; "off" or "" : none.
     */
    List<Path> paths(String dotted, Path fallback) throws ConfigException {
      JsonNode node = node(dotted);
      if (node == null) {
        return Files.isRegularFile(fallback) ? List.of(fallback) : List.of();
      }
      if (node.isBoolean()) { // YAML reads an unquoted off as false
        if (node.asBoolean()) {
          throw new ConfigException(dotted + " must be a file path, a list of them, or off; got true");
        }
        return List.of();
      }
      List<String> items = list(dotted);
      if (items.size() == 1 && items.get(0).equalsIgnoreCase("off")) {
        return List.of();
      }
      return items.stream().map(Path::of).toList();
    }

    ZoneId zone(String dotted, ZoneId fallback) throws ConfigException {
      String text = text(dotted, null);
      if (text == null || text.isBlank()) {
        return fallback;
      }
      try {
        return ZoneId.of(text.trim());
      } catch (DateTimeException e) {
        throw new ConfigException(dotted + " must be a time zone such as UTC, Europe/Berlin or America/New_York,"
            + " got '" + text + "'");
      }
    }

    Duration duration(String dotted, Duration fallback) throws ConfigException {
      String text = text(dotted, null);
      return text == null ? fallback : parseDuration(dotted, text);
    }

    /** A YAML list of names, or one text of comma-separated names (as an environment variable gives it). */
    Set<String> list(String dotted, Set<String> fallback) throws ConfigException {
      JsonNode node = node(dotted);
      if (node == null) {
        return fallback;
      }
      Set<String> values = new LinkedHashSet<>();
      if (node.isArray()) {
        for (JsonNode element : node) {
          if (!element.isValueNode()) {
            throw new ConfigException(dotted + " must be a list of names, got " + node);
          }
          values.add(element.asText().strip());
        }
      } else if (node.isValueNode()) {
        for (String part : node.asText().split(",")) {
          values.add(part.strip());
        }
      } else {
        throw new ConfigException(dotted + " must be a list of names, got " + node);
      }
      values.remove("");
      return values;
    }
  }

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?i?b?)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  /** "500", "32KB", "64MB", "10GB" (binary units: 1 KB = 1024 bytes). */
  static long parseSize(String setting, String text) throws ConfigException {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new ConfigException(setting + " must be a size such as 512KB, 64MB or 10GB, got '" + text + "'");
    }
    long number = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    int shift = unit.isEmpty() || unit.equals("b") ? 0 : switch (unit.charAt(0)) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      default -> 40;
    };
    return number << shift;
  }

  /** "500ms", "30s", "15m", "12h", "7d". */
  static Duration parseDuration(String setting, String text) throws ConfigException {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new ConfigException(setting + " must be a duration such as 30s, 15m, 12h or 7d, got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /**
   * Half the cores: each warehouse worker commits to DuckDB on its own, and on a 2-core machine a
   * second one took more CPU from the collector than it gave back (measured: batches of 100 were
   * ingested at 84k events/s with one worker against 61k with two).
   */
  static int defaultWorkers() {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  private static String firstNonNull(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return null;
  }

  static String sampleConfig(String writeKey, String adminToken) {
    return sampleConfig(writeKey, adminToken, null);
  }

  static String sampleConfig(String writeKey, String adminToken, String passwordHash) {
    String dashboard = passwordHash == null ? "# password-hash: <made by ./trackside hash-password>"
        : "password-hash: " + passwordHash;
    return """
        # Trackside configuration. Written on first start; edit freely.
        # Every scalar setting can also be set with an environment variable (TRACKSIDE_ + the
        # setting's path in upper snake case, e.g. TRACKSIDE_SERVER_PORT, TRACKSIDE_LOG_PARTITIONS)
        # or a flag (--port, --data, --write-key, --admin-token, --host); flags win over the
        # environment, which wins over this file.

        server:
          host: 0.0.0.0          # bind address of the collector, API, /healthz, /readyz and /metrics
          port: 8080
          # Read the client IP from X-Forwarded-For. Turn on only behind a reverse proxy you run.
          trust-forwarded-for: false
          cors-origins: ["*"]    # browser origins allowed to send events; "*" answers any origin

        # Where the event log and the DuckDB warehouse live.
        data: ./data

        # The browser snippet is served at <path>.js and posts to <path>/c. Pick a neutral name:
        # blockers match paths containing "track", "analytics", "event".
        snippet:
          path: /static/site

        # Bearer token for everything under /api/ (Authorization: Bearer <token>).
        admin-token: %s

        # Sign-in to the dashboard at /. Only the password's hash is kept here (PBKDF2-SHA256); the
        # password itself was printed once at first start. Set your own: ./trackside hash-password
        # (reads it from stdin), or pass --dashboard-password / TRACKSIDE_DASHBOARD_PASSWORD.
        dashboard:
          %s
          secure-cookie: false     # true behind a TLS-terminating proxy: the cookie is then sent over HTTPS only
          session-idle: 12h        # a session unused this long is signed out

        # Each source has its own write key; clients send it as HTTP Basic user name
        # (base64("<key>:")) or as "writeKey" in the JSON body. Sites tagged with gtag.js send to
        # /g/collect (gtag('config', 'G-…', {server_container_url: 'https://this.server'})); their
        # hits belong to the source listing the hit's measurement id. A source may have either or both.
        sources:
          - name: default
            write-key: %s
            # measurement-ids: [G-ABC123DEF4]

        # Worker threads that move events from the log into the warehouse (default: half the cores).
        # workers: 1

        # Ingest first: the pipeline workers, delivery and the session rollup run at this Linux
        # nice value, so on saturated cores the collector keeps acknowledging (the events are safe
        # in the log) and the rest catches up when the load drops. 0 to 19; 0 = no difference.
        # background-nice: 10

        # What this node does: all, or any of collect, process, deliver, dashboard (on Kafka and
        # PostgreSQL, many small collectors, a few workers, deliverers that share each destination's
        # partitions; docs/SCALING.md).
        # roles: all

        # Segment's limits. Requests over them get 400 (clients do not retry a 400).
        limits:
          max-event-bytes: 32KB
          max-request-bytes: 500KB   # also the cap on a gzip body once inflated
          max-batch-events: 2500

        # The durable event log. An event is acknowledged only once it is fsynced here.
        log:
          partitions: 4
          segment-bytes: 64MB
          retention-age: 7d          # segments older than this are deleted
          retention-bytes: 10GB      # above this, segments every consumer has read are deleted
          max-bytes: 20GB            # above this, the collector answers 503 instead of storing
          min-free-disk: 256MB       # below this much free disk, the collector answers 503
          max-queued-bytes: 64MB     # appends waiting for fsync; beyond it, 503
          # type: kafka              # or the event log on a Kafka topic, shared by several nodes
          # kafka:                   #   (see docs/SCALING.md)
          #   bootstrap-servers: kafka1:9092,kafka2:9092,kafka3:9092
          #   topic: trackside-events
          #   partitions: 4          # when the topic is created (default: log.partitions)
          #   replication: 3         # when the topic is created; min.insync.replicas is one less
          #   max-in-flight-bytes: 64MB  # sent but not yet acknowledged; beyond it, 503
          #   append-timeout: 15s    # an append the brokers do not acknowledge by then answers 503

        warehouse:
          dedupe-window: 2000000     # recent messageIds remembered to drop client retries
          # DuckDB's memory for writes and the dashboard's queries; larger queries spill to
          # disk, and some fail with "Out of Memory" below about 1GB at 10 million events.
          memory-limit: %s
          # type: postgresql         # or the warehouse in a PostgreSQL shared by several nodes;
          # postgresql:              #   each node's dashboard queries a local DuckDB copy of it
          #   url: jdbc:postgresql://db:5432/trackside?user=trackside&password=secret
          #   mirror-interval: 1s    # how often that copy catches up (docs/SCALING.md)

        # Private by default: client IPs are truncated (IPv4 /24, IPv6 /48) before anything is stored.
        privacy:
          store-raw-ip: false        # true keeps full addresses; only with a legal basis for it
          # E-mail addresses and phone numbers found in traits, properties and context.traits:
          # keep, hash (SHA-256 of the normalised value, as Meta and other ad platforms match it)
          # or drop. The default applies to detected PII in fields not listed under fields.
          pii:
            default: hash
            # fields:                # by path or bare field name; applies to any value there
            #   traits.email: keep
            #   properties.customer.phone: drop
            #   email: hash
          # Events from the cookieless snippet carry no ids (context.trackside.cookieless: true); they
          # get a visitor id hashed from a random daily salt, the IP and the User-Agent. The salt is
          # deleted after two days, so ids cannot be linked across days. false quarantines them.
          cookieless: true

        # A session ends after this long without an event, at midnight in the time zone (which is
        # also when the cookieless salt changes), or when the campaign (utm_*, click id) changes.
        sessions:
          timeout: 30m
          time-zone: UTC             # the site's zone, e.g. Europe/Berlin

        # An optional tracking plan: a JSON Schema per track event name (and optionally for page,
        # screen, identify and group calls), in its own JSON or YAML file; see docs/pipeline/plans.md.
        # Reload it without a restart: POST /api/tracking-plan/reload.
        tracking-plan:
          # file: tracking-plan.yml
          mode: allow                # allow: store and record violations; block: quarantine (schema_violation)
          unplanned: allow           # track events the plan does not list: allow, flag or block
          # sources:                 # per source, overriding the two above
          #   backend: {mode: block, unplanned: block}

        enrichment:
          # Browser, OS and device class from the User-Agent (and client hints) with Yauaa. Its
          # analyzer warms up in the background for some seconds after start; the first events
          # wait for it in the workers (ingest does not).
          user-agent: true
          url:
            # Query parameters whose values are replaced by [redacted] in page URLs and referrers
            # (any value holding an e-mail address is, too). Setting this replaces the list.
            scrub-params: [%s]
          referrers:
            # Your own additions to the referrer table (JSON: host -> {"source", "channel"});
            # see docs/pipeline/attribution.md.
            # file: referrers.json
          geo:
            # A MaxMind DB (.mmdb) file for country, and region and city where it has them:
            # GeoIP2/GeoLite2 City or Country, DB-IP, or an @ip-location-db/*-mmdb file; a list of
            # files is tried in order (for packages that ship IPv4 and IPv6 apart). Unset, the free
            # country database that `./trackside geo fetch` puts in <data>/geo/ is used when it is
            # there. "off" turns geo off.
            # database: data/geo/geo-whois-asn-country.mmdb
            # ASN database for the hosting-network bot layer: an ASN .mmdb (GeoLite2-ASN), or the
            # ip-location-db CSV that `./trackside geo fetch --asn` puts in <data>/geo/asn.csv
            # (used when it is there). "off" turns the layer off.
            # asn-database: data/geo/asn.csv

        # Bots are flagged (bot, bot_reason) and kept, so reports can show or exclude them.
        bots:
          drop: false                # true: do not store bot events at all (only counted)
          behaviour-max-pages: 10    # a visitor with more page/screen views than this ...
          behaviour-window: 10s      # ... within this time is flagged as a bot; 0 pages turns it off
          # Events from these autonomous systems are flagged bot=true, reason hosting_network, in
          # addition to the built-in cloud and hosting providers (AWS, Google Cloud, Azure,
          # DigitalOcean, Hetzner, OVH, Linode, Vultr, Oracle, Alibaba, Tencent, Scaleway, Contabo…).
          # hosting-asns: [AS64500, 64501]
        """.formatted(adminToken, dashboard, writeKey, DuckDbWarehouse.DEFAULT_MEMORY_LIMIT, AttributionConfig.defaultScrubParams(" ".repeat(19)));
  }

}
