package io.trackside.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trackside.pipeline.AttributionConfig;
import io.trackside.pipeline.PiiPolicy;
import io.trackside.pipeline.PipelineConfig;
import io.trackside.pipeline.ReferrerTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  @Test
  void firstStartWritesACommentedSampleWithGeneratedKeysThatLoadsBackTheSame() throws Exception {
    Path file = dir.resolve("trackside.yml");
    ConfigLoader.Loaded first = ConfigLoader.load(file, Map.of(), Map.of());
    assertThat(first.sampleWritten()).isTrue();
    String text = Files.readString(file);
    assertThat(text).contains("# Trackside configuration").contains(first.config().sources().get(0).writeKey());
    assertThat(first.config().sources().get(0).writeKey()).startsWith("wk_").hasSizeGreaterThan(20);
    assertThat(first.config().adminToken()).startsWith("at_").hasSizeGreaterThan(30);
    ConfigLoader.Loaded second = ConfigLoader.load(file, Map.of(), Map.of());
    assertThat(second.sampleWritten()).isFalse();
    assertThat(second.config().sources()).isEqualTo(first.config().sources());
    assertThat(second.config().adminToken()).isEqualTo(first.config().adminToken());
    assertThat(second.config().port()).isEqualTo(8080);
    assertThat(second.config().log().retentionAge()).isEqualTo(Duration.ofDays(7));
    assertThat(second.config().limits().maxEventBytes()).isEqualTo(32 * 1024);
  }

  @Test
  void environmentOverridesTheFileAndFlagsOverrideTheEnvironment() throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, """
        server:
          port: 9000
        admin-token: file-token-0123456789
        sources:
          - name: web
            write-key: web-key
        log:
          partitions: 8
        """);
    Config config = ConfigLoader.load(file, Map.of("TRACKSIDE_SERVER_PORT", "9100", "TRACKSIDE_LOG_PARTITIONS", "2",
        "TRACKSIDE_LOG_RETENTION_AGE", "12h"), Map.of("server.port", "9200")).config();
    assertThat(config.port()).isEqualTo(9200);
    assertThat(config.log().partitions()).isEqualTo(2);
    assertThat(config.log().retentionAge()).isEqualTo(Duration.ofHours(12));
    assertThat(config.log().dir()).isEqualTo(Path.of("data", "log"));
    assertThat(config.sourceForWriteKey("web-key").name()).isEqualTo("web");
    assertThat(config.adminToken()).isEqualTo("file-token-0123456789");
  }

  @Test
  void theWriteKeyFlagDefinesTheDefaultSourceBesideTheOthers() throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, "admin-token: file-token-0123456789\nsources:\n  - {name: default, write-key: old}\n  - {name: app, write-key: app-key}\n");
    Config config = ConfigLoader.load(file, Map.of(), Map.of("write-key", "flag-key")).config();
    assertThat(config.sourceForWriteKey("flag-key").name()).isEqualTo("default");
    assertThat(config.sourceForWriteKey("old")).isNull();
    assertThat(config.sourceForWriteKey("app-key").name()).isEqualTo("app");
  }

  @Test
  void mistakesAreNamedWithTheSettingAndWhatToDo() throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, "admin-token: file-token-0123456789\nsources: [{name: a, write-key: k}]\nlog: {partitions: many}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .hasMessageContaining("log.partitions").hasMessageContaining("many");
    Files.writeString(file, "admin-token: file-token-0123456789\nsources: [{name: a, write-key: k}]\nlog: {partitions: 0}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("partitions");
    Files.writeString(file, "admin-token: short\nsources: [{name: a, write-key: k}]\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of())).hasMessageContaining("admin-token");
    Files.writeString(file, "admin-token: file-token-0123456789\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of())).hasMessageContaining("--write-key");
    Files.writeString(file, "admin-token: file-token-0123456789\nsources: [{name: a, write-key: k}, {name: b, write-key: k}]\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of())).hasMessageContaining("share a write key");
    Files.writeString(file, "admin-token: [unclosed\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of())).hasMessageContaining("not valid YAML");
  }

  @Test
  void theKafkaLogIsChosenByLogTypeWithItsSettingsFromFileOrEnvironment() throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, """
        admin-token: file-token-0123456789
        sources: [{name: a, write-key: k}]
        log:
          partitions: 6
          type: kafka
          kafka:
            bootstrap-servers: k1:9092,k2:9092
            replication: 3
        """);
    Config config = ConfigLoader.load(file, Map.of("TRACKSIDE_LOG_KAFKA_TOPIC", "site-events"), Map.of()).config();
    assertThat(config.kafkaLog().bootstrapServers()).isEqualTo("k1:9092,k2:9092");
    assertThat(config.kafkaLog().topic()).isEqualTo("site-events");
    assertThat(config.kafkaLog().partitions()).as("defaults to log.partitions").isEqualTo(6);
    assertThat(config.kafkaLog().replication()).isEqualTo((short) 3);
    assertThat(config.kafkaLog().appendTimeout()).isEqualTo(Duration.ofSeconds(15));

    Files.writeString(file, "admin-token: file-token-0123456789\nsources: [{name: a, write-key: k}]\n");
    assertThat(ConfigLoader.load(file, Map.of(), Map.of()).config().kafkaLog()).as("embedded by default").isNull();
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("TRACKSIDE_LOG_TYPE", "kafka"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("log.kafka.bootstrap-servers");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("TRACKSIDE_LOG_TYPE", "zookeeper"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("embedded or kafka");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of("log.type", "kafka",
        "log.kafka.bootstrap-servers", "k:9092", "log.kafka.topic", "no spaces allowed")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("topic");
  }

  @Test
  void thePostgresqlWarehouseIsChosenByWarehouseTypeAndItsPasswordStaysOutOfLogs() throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, """
        admin-token: file-token-0123456789
        sources: [{name: a, write-key: k}]
        warehouse:
          type: postgresql
          postgresql:
            mirror-interval: 250ms
        """);
    Config config = ConfigLoader.load(file,
        Map.of("TRACKSIDE_WAREHOUSE_POSTGRESQL_URL", "jdbc:postgresql://db:5432/t?user=u&password=s3cret"), Map.of())
        .config();
    assertThat(config.postgresWarehouse().url()).isEqualTo("jdbc:postgresql://db:5432/t?user=u&password=s3cret");
    assertThat(config.postgresWarehouse().mirrorInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.postgresWarehouse().safeUrl()).isEqualTo("jdbc:postgresql://db:5432/t?user=u&password=***");

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("warehouse.postgresql.url");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of("warehouse.postgresql.url", "postgres://db/t")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("jdbc:postgresql:");
    Files.writeString(file, "admin-token: file-token-0123456789\nsources: [{name: a, write-key: k}]\n");
    assertThat(ConfigLoader.load(file, Map.of(), Map.of()).config().postgresWarehouse()).as("DuckDB by default").isNull();
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("TRACKSIDE_WAREHOUSE_TYPE", "mysql"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("duckdb or postgresql");
  }

  @Test
  void rolesSplitOnlyOnTheSharedComponents() throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, "admin-token: file-token-0123456789\nsources: [{name: a, write-key: k}]\n");
    assertThat(ConfigLoader.load(file, Map.of(), Map.of()).config().roles()).isEqualTo(NodeRoles.ALL);
    Map<String, String> kafka = Map.of("log.type", "kafka", "log.kafka.bootstrap-servers", "k:9092");
    Map<String, String> shared = new java.util.HashMap<>(kafka);
    shared.put("warehouse.type", "postgresql");
    shared.put("warehouse.postgresql.url", "jdbc:postgresql://db/t");

    NodeRoles collector = ConfigLoader.load(file, Map.of("TRACKSIDE_ROLES", "collect"), kafka).config().roles();
    assertThat(collector.has(NodeRoles.Role.COLLECT)).isTrue();
    assertThat(collector.has(NodeRoles.Role.PROCESS)).isFalse();
    assertThat(collector.toString()).isEqualTo("collect");
    shared.put("roles", "dashboard, process");
    assertThat(ConfigLoader.load(file, Map.of(), shared).config().roles().toString()).isEqualTo("process,dashboard");
    shared.put("roles", "dashboard");
    assertThat(ConfigLoader.load(file, Map.of(), shared).config().roles().has(NodeRoles.Role.DASHBOARD)).isTrue();

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of("roles", "collect")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("log.type: kafka");
    Map<String, String> dashboardOnDuckDb = new java.util.HashMap<>(kafka);
    dashboardOnDuckDb.put("roles", "dashboard");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), dashboardOnDuckDb))
        .isInstanceOf(ConfigException.class).hasMessageContaining("warehouse.type: postgresql");
    shared.put("roles", "deliver");
    assertThat(ConfigLoader.load(file, Map.of(), shared).config().roles().toString())
        .as("on Kafka and PostgreSQL a node may deliver without processing").isEqualTo("deliver");
    Map<String, String> deliverOnDuckDb = new java.util.HashMap<>(kafka);
    deliverOnDuckDb.put("roles", "collect,deliver");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), deliverOnDuckDb))
        .isInstanceOf(ConfigException.class).hasMessageContaining("deliver without process needs warehouse.type:"
            + " postgresql");
    deliverOnDuckDb.put("roles", "process,deliver");
    assertThat(ConfigLoader.load(file, Map.of(), deliverOnDuckDb).config().roles().has(NodeRoles.Role.DELIVER))
        .isTrue();
    Map<String, String> typo = new java.util.HashMap<>(kafka);
    typo.put("roles", "collect,procces");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), typo))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown role 'procces'");
  }

  @Test
  void sizesAndDurationsReadAsPeopleWriteThem() throws Exception {
    assertThat(ConfigLoader.parseSize("s", "500")).isEqualTo(500);
    assertThat(ConfigLoader.parseSize("s", "32KB")).isEqualTo(32 * 1024);
    assertThat(ConfigLoader.parseSize("s", "64 MB")).isEqualTo(64L << 20);
    assertThat(ConfigLoader.parseSize("s", "10GiB")).isEqualTo(10L << 30);
    assertThat(ConfigLoader.parseDuration("d", "7d")).isEqualTo(Duration.ofDays(7));
    assertThat(ConfigLoader.parseDuration("d", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThatThrownBy(() -> ConfigLoader.parseSize("log.max-bytes", "lots")).hasMessageContaining("log.max-bytes");
  }

  @Test
  void cookielessModeAndSessionsAreSetInTheFileTheEnvironmentOrFlagsAndCheckedAtStart() throws Exception {
    Path file = dir.resolve("trackside.yml");
    io.trackside.pipeline.PipelineConfig defaults = ConfigLoader.load(file, Map.of(), Map.of()).config().pipeline();
    assertThat(defaults.cookieless()).isTrue();
    assertThat(defaults.sessionTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(defaults.timeZone().normalized()).isEqualTo(java.time.ZoneOffset.UTC);
    assertThat(Files.readString(file)).contains("cookieless: true").contains("timeout: 30m").contains("time-zone: UTC");

    io.trackside.pipeline.PipelineConfig set = ConfigLoader.load(file, Map.of("TRACKSIDE_PRIVACY_COOKIELESS", "false",
        "TRACKSIDE_SESSIONS_TIME_ZONE", "Europe/Berlin"), Map.of("sessions.timeout", "45m")).config().pipeline();
    assertThat(set.cookieless()).isFalse();
    assertThat(set.sessionTimeout()).isEqualTo(Duration.ofMinutes(45));
    assertThat(set.timeZone()).isEqualTo(java.time.ZoneId.of("Europe/Berlin"));

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("TRACKSIDE_SESSIONS_TIME_ZONE", "Mars/Olympus"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sessions.time-zone").hasMessageContaining("Mars/Olympus");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of("sessions.timeout", "0m")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sessions.timeout");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of("sessions.timeout", "half an hour")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("sessions.timeout");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of("privacy.cookieless", "maybe")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("privacy.cookieless");
  }

  @Test
  void trackingPlanSettingsHaveDefaultsPerSourceOverridesAndEnvironmentVariables() throws Exception {
    Path file = dir.resolve("c.yml");
    Files.writeString(file, """
        admin-token: file-token-0123456789
        sources:
          - {name: web, write-key: web-key}
          - {name: backend, write-key: backend-key}
        tracking-plan:
          file: plans/shop.yml
          mode: allow
          unplanned: flag
          sources:
            backend: {mode: block}
        """);
    Config config = ConfigLoader.load(file, Map.of("TRACKSIDE_TRACKING_PLAN_UNPLANNED", "block"), Map.of()).config();
    io.trackside.pipeline.TrackingPlanConfig plan = config.pipeline().trackingPlan();
    assertThat(plan.file()).isEqualTo(Path.of("plans/shop.yml"));
    assertThat(plan.rulesFor("web").mode().toString()).isEqualTo("allow");
    assertThat(plan.rulesFor("web").unplanned().toString()).isEqualTo("block");
    assertThat(plan.rulesFor("backend").mode().toString()).isEqualTo("block");
    assertThat(plan.rulesFor("backend").unplanned().toString()).as("taken from the defaults").isEqualTo("block");

    Config none = ConfigLoader.load(dir.resolve("fresh.yml"), Map.of(), Map.of()).config();
    assertThat(none.pipeline().trackingPlan().file()).isNull();
    assertThat(ConfigLoader.sampleConfig("k", "t")).contains("tracking-plan:").contains("unplanned: allow");
  }

  @Test
  void trackingPlanMistakesNameTheSetting() throws Exception {
    String base = "admin-token: file-token-0123456789\nsources: [{name: web, write-key: k}]\n";
    Path file = dir.resolve("c.yml");
    Files.writeString(file, base + "tracking-plan: {file: p.json, mode: strict}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of())).isInstanceOf(ConfigException.class)
        .hasMessage("tracking-plan.mode must be allow or block, got 'strict'");
    Files.writeString(file, base + "tracking-plan: {file: p.json, sources: {web: {unplanned: warn}}}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .hasMessage("tracking-plan.sources.web.unplanned must be allow, flag or block, got 'warn'");
    Files.writeString(file, base + "tracking-plan: {file: p.json, sources: {wbe: {mode: block}}}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .hasMessageContaining("tracking-plan.sources.wbe: there is no source named 'wbe' (sources: web)");
    Files.writeString(file, base + "tracking-plan: {sources: {web: {mode: block}}}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .hasMessageContaining("tracking-plan.file is not");
  }

  @Test
  void userAgentAndBotSettings() throws Exception {
    Config sample = ConfigLoader.load(dir.resolve("sample.yml"), Map.of(), Map.of()).config();
    assertThat(sample.pipeline()).isEqualTo(PipelineConfig.defaults());
    assertThat(sample.pipeline().userAgent()).isTrue();
    assertThat(sample.pipeline().dropBots()).isFalse();
    assertThat(sample.pipeline().behaviourMaxPages()).isEqualTo(10);
    assertThat(sample.pipeline().behaviourWindow()).isEqualTo(Duration.ofSeconds(10));

    Path file = dir.resolve("c.yml");
    Files.writeString(file, """
        admin-token: file-token-0123456789
        sources: [{name: a, write-key: k}]
        enrichment: {user-agent: false}
        bots: {drop: true, behaviour-max-pages: 30}
        """);
    PipelineConfig pipeline = ConfigLoader.load(file, Map.of("TRACKSIDE_BOTS_BEHAVIOUR_WINDOW", "1m"), Map.of())
        .config().pipeline();
    assertThat(pipeline.userAgent()).isFalse();
    assertThat(pipeline.dropBots()).isTrue();
    assertThat(pipeline.behaviourMaxPages()).isEqualTo(30);
    assertThat(pipeline.behaviourWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(ConfigLoader.load(file, Map.of("TRACKSIDE_BOTS_BEHAVIOUR_MAX_PAGES", "0"), Map.of())
        .config().pipeline().behaviourMaxPages()).as("0 turns the layer off").isZero();

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("TRACKSIDE_BOTS_DROP", "sometimes"), Map.of()))
        .hasMessageContaining("bots.drop");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("TRACKSIDE_ENRICHMENT_USER_AGENT", "maybe"), Map.of()))
        .hasMessageContaining("enrichment.user-agent");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("TRACKSIDE_BOTS_BEHAVIOUR_MAX_PAGES", "5000"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bots.behaviour-max-pages");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("TRACKSIDE_BOTS_BEHAVIOUR_WINDOW", "0s"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bots.behaviour-window");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("TRACKSIDE_BOTS_BEHAVIOUR_WINDOW", "soon"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bots.behaviour-window");
  }

  @Test
  void attributionAndPiiSettings() throws Exception {
    Path referrers = dir.resolve("referrers.json");
    Files.writeString(referrers, "{\"intranet.example\": {\"source\": \"intranet\", \"channel\": \"internal\"}}");
    Path file = dir.resolve("c.yml");
    Files.writeString(file, """
        admin-token: file-token-0123456789
        sources: [{name: a, write-key: k}]
        enrichment:
          url:
            scrub-params: [Coupon, token]
          referrers:
            file: %s
        privacy:
          pii:
            default: drop
            fields:
              traits.email: keep
              phone: hash
        """.formatted(referrers));
    PipelineConfig pipeline = ConfigLoader.load(file, Map.of(), Map.of()).config().pipeline();
    assertThat(pipeline.attribution().scrubParams()).containsExactlyInAnyOrder("coupon", "token");
    assertThat(pipeline.attribution().referrers().size()).isEqualTo(ReferrerTable.builtIn().size() + 1);
    assertThat(pipeline.pii().defaultAction()).isEqualTo(PiiPolicy.Action.DROP);
    assertThat(pipeline.pii().fields()).containsOnly(Map.entry("traits.email", PiiPolicy.Action.KEEP),
        Map.entry("phone", PiiPolicy.Action.HASH));

    PipelineConfig fromEnv = ConfigLoader.load(file, Map.of("TRACKSIDE_ENRICHMENT_URL_SCRUB_PARAMS", "email, sid",
        "TRACKSIDE_PRIVACY_PII_DEFAULT", "keep"), Map.of()).config().pipeline();
    assertThat(fromEnv.attribution().scrubParams()).containsExactlyInAnyOrder("email", "sid");
    assertThat(fromEnv.pii().defaultAction()).isEqualTo(PiiPolicy.Action.KEEP);
  }

  @Test
  void theSampleConfigCarriesThePrivacyByDefaultValues() throws Exception {
    PipelineConfig pipeline = ConfigLoader.load(dir.resolve("new.yml"), Map.of(), Map.of()).config().pipeline();
    assertThat(pipeline.pii()).isEqualTo(PiiPolicy.defaults());
    assertThat(pipeline.pii().defaultAction()).isEqualTo(PiiPolicy.Action.HASH);
    assertThat(pipeline.attribution().scrubParams()).isEqualTo(AttributionConfig.defaults().scrubParams())
        .contains("email", "token", "password");
  }

  @Test
  void attributionAndPiiMistakesNameTheSetting() throws Exception {
    Path file = dir.resolve("c.yml");
    String base = "admin-token: file-token-0123456789\nsources: [{name: a, write-key: k}]\n";
    Files.writeString(file, base + "privacy: {pii: {default: encrypt}}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .hasMessageContaining("privacy.pii.default must be keep, hash or drop, got 'encrypt'");
    Files.writeString(file, base + "privacy: {pii: {fields: {traits.email: mask}}}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .hasMessageContaining("privacy.pii.fields.traits.email must be keep, hash or drop");
    Files.writeString(file, base + "privacy: {pii: {fields: [email]}}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of())).hasMessageContaining("privacy.pii.fields must map");
    Files.writeString(file, base + "privacy: {pii: {fields: {context.ip: drop}}}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of())).hasMessageContaining("privacy.pii.fields: 'context.ip'");
    Files.writeString(file, base + "enrichment: {referrers: {file: /nonexistent/referrers.json}}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .hasMessageContaining("enrichment.referrers.file").hasMessageContaining("/nonexistent/referrers.json");
    Files.writeString(file, base + "enrichment: {url: {scrub-params: {email: true}}}\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of())).hasMessageContaining("enrichment.url.scrub-params");
  }

  @Test
  void theWorkBehindTheLogRunsAtNiceTenUnlessConfiguredOtherwise() throws Exception {
    Path file = dir.resolve("nice.yml");
    Files.writeString(file, "admin-token: file-token-0123456789\nsources: [{name: a, write-key: k}]\n");
    assertThat(ConfigLoader.load(file, Map.of(), Map.of()).config().backgroundNice()).isEqualTo(10);
    assertThat(ConfigLoader.load(file, Map.of("TRACKSIDE_BACKGROUND_NICE", "0"), Map.of()).config().backgroundNice())
        .isZero();
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("TRACKSIDE_BACKGROUND_NICE", "20"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("background-nice must be 0 to 19");
  }
}
