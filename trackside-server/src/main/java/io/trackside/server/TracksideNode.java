package io.trackside.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trackside.collect.Admission;
import io.trackside.collect.ClientAddress;
import io.trackside.collect.CollectMetrics;
import io.trackside.collect.Cors;
import io.trackside.collect.GtagCollector;
import io.trackside.collect.SegmentCollector;
import io.trackside.collect.Snippet;
import io.trackside.core.GtagIntake;
import io.trackside.core.SegmentIntake;
import io.trackside.dashboard.AdminApi;
import io.trackside.dashboard.DashboardPages;
import io.trackside.dashboard.InsightsApi;
import io.trackside.dashboard.LiveEvents;
import io.trackside.dashboard.LiveStream;
import io.trackside.dashboard.SignIn;
import io.trackside.dashboard.DestinationsApi;
import io.trackside.dashboard.IngestCounters;
import io.trackside.dashboard.PrivacyApi;
import io.trackside.dashboard.QuarantineReplayApi;
import io.trackside.dashboard.StatsApi;
import io.trackside.dashboard.TrackingPlanApi;
import io.trackside.log.EmbeddedEventLog;
import io.trackside.log.EventLog;
import io.trackside.log.KafkaEventLog;
import io.trackside.pipeline.ActiveTrackingPlan;
import io.trackside.pipeline.GeoDatabaseException;
import io.trackside.pipeline.InvalidTrackingPlanException;
import io.trackside.pipeline.QuarantineReplay;
import io.trackside.pipeline.StepTimings;
import io.trackside.pipeline.WarehouseWriter;
import io.trackside.warehouse.DuckDbWarehouse;
import io.trackside.warehouse.SessionRollup;
import io.trackside.warehouse.StatsReaders;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Trackside process, wired by hand: event log → warehouse writer → warehouse, and the
 * HTTP collector and API in front, each part present only on a node with its role
 * ({@link NodeRoles}). Started in dependency order and stopped in reverse, so that on SIGTERM
 * every request already accepted still gets its durable answer and every event already in the
 * log reaches the warehouse or stays in the log for the next start (or another node).
 */
final class TracksideNode {
  private static final Logger LOG = LoggerFactory.getLogger(TracksideNode.class);
  static final String WAREHOUSE_GROUP = WarehouseWriter.GROUP;

  private final Config config;
  private final PrometheusMeterRegistry registry;
  private final EventLog log;
  private final WarehouseSetup stores;
  private final PipelineSetup pipeline;
  /** Null without the process role. */
  private final Processing processing;
  private final ActiveTrackingPlan trackingPlan;
  private final SegmentIntake intake;
  /** Null without the dashboard role. */
  private final QuarantineReplay replay;
  private final Forwarding forwarding;
  private final Admission admission = new Admission();
  private final LiveEvents liveEvents;
  private final Vertx vertx;
  private final List<HttpVerticle> verticles = new CopyOnWriteArrayList<>();
  private StatsReaders statsReaders;
  private SessionRollup sessionRollup;
  private int port;

  private TracksideNode(Config config, PrometheusMeterRegistry registry, EventLog log, WarehouseSetup stores,
                        PipelineSetup pipeline, Processing processing, ActiveTrackingPlan trackingPlan,
                        SegmentIntake intake, QuarantineReplay replay, Forwarding forwarding, Vertx vertx,
                        LiveEvents liveEvents) {
    this.config = config;
    this.registry = registry;
    this.log = log;
    this.stores = stores;
    this.pipeline = pipeline;
    this.processing = processing;
    this.trackingPlan = trackingPlan;
    this.intake = intake;
    this.replay = replay;
    this.forwarding = forwarding;
    this.vertx = vertx;
    this.liveEvents = liveEvents;
  }

  static TracksideNode start(Config config) throws StartupException {
    ActiveTrackingPlan trackingPlan;
    try {
      // First: a broken plan should stop the start before anything is opened.
      trackingPlan = ActiveTrackingPlan.load(config.pipeline().trackingPlan());
    } catch (InvalidTrackingPlanException e) {
      throw new StartupException(e.getMessage() + " — fix the file or unset tracking-plan.file", e);
    }
    // Before any thread behind the log starts: they lower their own priority as they begin.
    io.trackside.pipeline.BackgroundPriority.configure(config.backgroundNice());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new StartupException("cannot create the data directory " + config.dataDir().toAbsolutePath()
          + ": " + e.getMessage() + " — choose another with --data DIR", e);
    }
    NodeRoles roles = config.roles();
    LOG.info("Roles: {}", roles);
    EventLog log = openLog(config, registry);
    boolean process = roles.has(NodeRoles.Role.PROCESS);
    boolean dashboard = roles.has(NodeRoles.Role.DASHBOARD);
    boolean deliver = roles.has(NodeRoles.Role.DELIVER);
    // On Kafka the enriched log is shared: every process node feeds it for whichever nodes deliver.
    boolean forward = process && (config.kafkaLog() != null || deliver);
    WarehouseSetup stores = null;
    PipelineSetup pipeline = null;
    Processing processing = null;
    Forwarding forwarding = Forwarding.none();
    LiveEvents liveEvents = new LiveEvents(); // the dashboard's live view: every event once stored
    try {
      if (process || dashboard || deliver) {
        stores = WarehouseSetup.open(config, registry); // deliver: the dead letters and the erasures
      }
      if (process || dashboard) {
        // The dashboard needs the pipeline too: a quarantine replay runs events through it again.
        pipeline = openPipeline(config, stores.warehouse(), registry, trackingPlan);
      }
      if (forward || deliver) {
        forwarding = openForwarding(config, log, stores, forward, deliver, registry);
      }
      if (process) {
        // On PostgreSQL the live view shows what any node stored, as the dashboard's copy receives it.
        boolean liveFromCopy = stores.mirror() != null || config.postgresWarehouse() != null;
        processing = Processing.create(config, log, stores.warehouse(), pipeline.factory(), registry,
            forwarding.forwarder(), liveFromCopy ? null : liveEvents::publish);
      }
      if (stores != null && stores.mirror() != null) {
        stores.mirror().addListener(changes -> liveEvents.publishMirrored(changes.newEvents()));
      }
      if (processing != null) {
        processing.start();
      }
      try {
        forwarding.start();
      } catch (Exception e) {
        throw new StartupException("cannot start delivering to destinations: " + e.getMessage(), e);
      }
    } catch (StartupException | RuntimeException | java.sql.SQLException e) {
      closeQuietly(processing, forwarding, pipeline, stores, log);
      if (e instanceof java.sql.SQLException) {
        throw new StartupException("cannot lease log partitions in PostgreSQL: " + e.getMessage(), e);
      }
      if (e instanceof StartupException startup) {
        throw startup;
      }
      throw (RuntimeException) e;
    }
    Gauge.builder("trackside.log.consumer.lag", () -> lag(log, WAREHOUSE_GROUP))
        .description("Records in the log not yet committed by the consumer group")
        .tag("group", WAREHOUSE_GROUP).register(registry);

    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors())));
    SegmentIntake intake = new SegmentIntake(config.limits());
    QuarantineReplay replay = dashboard ? new QuarantineReplay(stores.warehouse(), intake, pipeline.factory(), registry)
        : null;
    TracksideNode node = new TracksideNode(config, registry, log, stores, pipeline, processing, trackingPlan, intake,
        replay, forwarding, vertx, liveEvents);
    try {
      node.deployHttp();
    } catch (Exception e) {
      node.stop();
      boolean bind = e instanceof java.net.BindException || e.getCause() instanceof java.net.BindException;
      throw new StartupException("cannot start the HTTP server on " + config.host() + ":" + config.port() + ": "
          + e.getMessage() + (bind ? " — is the port taken? Choose another with --port N" : ""), e);
    }
    return node;
  }

  /** After a failed start: closes what was opened, in reverse order. */
  private static void closeQuietly(Processing processing, Forwarding forwarding, PipelineSetup pipeline,
                                   WarehouseSetup stores, EventLog log) {
    if (processing != null) {
      processing.close();
    }
    forwarding.close();
    if (pipeline != null) {
      pipeline.close();
    }
    if (stores != null) {
      stores.close();
    }
    log.close();
  }

  private static PipelineSetup openPipeline(Config config, io.trackside.warehouse.Warehouse warehouse,
                                            PrometheusMeterRegistry registry, ActiveTrackingPlan trackingPlan)
      throws StartupException {
    PipelineSetup pipeline;
    try {
      pipeline = PipelineSetup.create(config.pipeline(), config.dataDir(), config.postgresWarehouse(), warehouse,
          new StepTimings(registry), trackingPlan);
    } catch (GeoDatabaseException e) {
      throw new StartupException(e.getMessage(), null); // the message names the setting; no stack trace
    } catch (RuntimeException e) {
      throw new StartupException("cannot prepare the pipeline: " + e.getMessage(), e);
    }
    pipeline.describe().forEach(line -> LOG.info("{}", line));
    return pipeline;
  }

  private static Forwarding openForwarding(Config config, EventLog log, WarehouseSetup stores, boolean forward,
                                           boolean deliver, PrometheusMeterRegistry registry) throws StartupException {
    try {
      // The enriched log keeps each record in its raw partition, so it has as many as the raw log.
      return Forwarding.open(config, log, stores.warehouse(), forward, deliver, registry);
    } catch (Exception e) {
      String where = config.kafkaLog() != null ? "Kafka topic " + config.kafkaLog().topic()
          + Forwarding.ENRICHED_TOPIC_SUFFIX : config.dataDir().resolve("enriched").toAbsolutePath().toString();
      throw new StartupException("cannot prepare forwarding to destinations: " + e.getMessage()
          + " (the enriched log is in " + where + ")", e);
    }
  }

  /** The embedded log in the data directory, or the Kafka topic when {@code log.type: kafka}. */
  private static EventLog openLog(Config config, PrometheusMeterRegistry registry) throws StartupException {
    if (config.kafkaLog() != null) {
      try {
        return KafkaEventLog.open(config.kafkaLog(), registry);
      } catch (RuntimeException e) {
        throw new StartupException("cannot open the event log on Kafka (log.kafka.bootstrap-servers "
            + config.kafkaLog().bootstrapServers() + ", topic " + config.kafkaLog().topic() + "): " + e.getMessage(), e);
      }
    }
    try {
      return EmbeddedEventLog.open(config.log(), registry);
    } catch (IOException | RuntimeException e) {
      throw new StartupException("cannot open the event log in " + config.log().dir().toAbsolutePath()
          + ": " + e.getMessage(), e);
    }
  }

  private void deployHttp() throws Exception {
    CollectMetrics collectMetrics = new CollectMetrics(registry);
    ClientAddress clientAddress = new ClientAddress(config.trustForwardedFor());
    boolean collect = config.roles().has(NodeRoles.Role.COLLECT);
    SegmentCollector collector = collect ? new SegmentCollector(intake, config.sourceByWriteKey(), log,
        collectMetrics, clientAddress, admission) : null;
    GtagCollector gtag = collect ? new GtagCollector(new GtagIntake(intake), config.sourceByMeasurementId(), log,
        collectMetrics, clientAddress, admission) : null;
    Snippet snippet = collect ? new Snippet(config.snippetPath()) : null;
    Cors cors = new Cors(config.corsOrigins());
    AdminApi api = null;
    DashboardPages dashboard = null;
    if (config.roles().has(NodeRoles.Role.DASHBOARD)) {
      SignIn signIn = new SignIn(config.dashboard(), clientAddress, config.trustForwardedFor());
      api = new AdminApi(config.adminToken(), signIn, stores.warehouse())
          .with(new LiveStream(liveEvents)::mount)
          .with(new TrackingPlanApi(trackingPlan))
          .with(new QuarantineReplayApi(replay))
          .with(new PrivacyApi(stores.warehouse()))
          .with(new DestinationsApi(forwarding.delivery(), config.destinations().isEmpty() ? null
              : "this node has no deliver role (roles: " + config.roles() + "); use the API of a node that delivers"))
          .with(statsApi())
          .with(new InsightsApi(statsReaders, config.pipeline().timeZone(), java.time.Clock.systemUTC()));
      dashboard = new DashboardPages(signIn);
    }
    OpsEndpoints ops = new OpsEndpoints(registry, this::problems);
    AdminApi adminApi = api;
    DashboardPages pages = dashboard;
    int instances = Math.max(2, Runtime.getRuntime().availableProcessors());
    vertx.deployVerticle(() -> {
      HttpVerticle verticle = new HttpVerticle(config.host(), config.port(), cors, collector, snippet, gtag, adminApi,
          ops, pages);
      verticles.add(verticle);
      return verticle;
    }, new DeploymentOptions().setInstances(instances)).await(30, TimeUnit.SECONDS);
    port = verticles.get(0).actualPort();
  }

  /**
   * The dashboard's numbers, on two read connections of their own (one per core), with the
   * session rollup following the events every 5 seconds.
   */
  private StatsApi statsApi() throws java.sql.SQLException {
    statsReaders = new StatsReaders(stores.analytics(), 2);
    sessionRollup = SessionRollup.start(stores.analytics(), java.time.Duration.ofSeconds(5),
        java.time.Clock.systemUTC());
    if (stores.mirror() != null) {
      // Rows the copy receives late (an old day) or loses (an erasure) are compared in the next pass.
      SessionRollup rollup = sessionRollup;
      stores.mirror().addListener(changes -> rollup.changed(changes.changedDays()));
    }
    var delivery = forwarding.delivery();
    return new StatsApi(statsReaders, sessionRollup, config.pipeline().timeZone(), java.time.Clock.systemUTC(),
        new StatsApi.QualitySources(new IngestCounters(registry)::snapshot,
            delivery == null ? List::of : delivery::describe, () -> lag(log, WAREHOUSE_GROUP)));
  }

  int port() {
    return port;
  }

  /** Events in the log the warehouse has not written yet (the demo waits for 0 after its backfill). */
  long warehouseLag() {
    return lag(log, WAREHOUSE_GROUP);
  }

  /** For tests that look at tables the API does not show: the system of record. */
  io.trackside.warehouse.Warehouse warehouse() {
    return stores.warehouse();
  }

  /** For tests: the DuckDB file the dashboard queries (the warehouse itself, or its copy of PostgreSQL). */
  DuckDbWarehouse analytics() {
    return stores.analytics();
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (admission.closed()) {
      problems.add("shutting down");
    }
    String logProblem = log.problem();
    if (logProblem != null) {
      problems.add("event log: " + logProblem);
    }
    if (stores != null) {
      problems.addAll(stores.problems());
    }
    String forwardingProblem = forwarding.problem();
    if (forwardingProblem != null) {
      problems.add("enriched log: " + forwardingProblem);
    }
    String writerProblem = processing == null ? null : processing.check();
    if (writerProblem != null) {
      problems.add("warehouse writer: " + writerProblem);
    }
    return problems;
  }

  static long lag(EventLog log, String group) {
    long lag = 0;
    for (int p = 0; p < log.partitions(); p++) {
      lag += Math.max(0, log.endOffset(p) - log.committedOffset(group, p));
    }
    return lag;
  }

  /** Graceful: refuse new requests, answer those in flight, flush the log and the workers. */
  void stop() {
    LOG.info("shutting down: no new events are accepted; finishing requests in flight");
    try {
      int left = admission.closeAndDrain(10, TimeUnit.SECONDS);
      if (left > 0) {
        LOG.warn("{} requests were still in flight after 10 s; their clients get no answer and will retry", left);
      }
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("HTTP shutdown: {}", e.toString());
    }
    if (replay != null) {
      replay.close(); // between two pages: each page is replayed entirely or not at all
    }
    if (processing != null) {
      processing.close();
    }
    forwarding.close();
    if (pipeline != null) {
      pipeline.close();
    }
    long waiting;
    try {
      waiting = lag(log, WAREHOUSE_GROUP);
    } catch (RuntimeException e) { // a Kafka log whose brokers are gone: stop all the same
      waiting = -1;
    }
    log.close();
    if (sessionRollup != null) {
      sessionRollup.close();
    }
    if (statsReaders != null) {
      statsReaders.close();
    }
    if (stores != null) {
      stores.close();
    }
    LOG.info("stopped; {} events wait in the log for the warehouse and will be written on the next start", waiting);
  }
}
