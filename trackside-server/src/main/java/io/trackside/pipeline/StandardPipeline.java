package io.trackside.pipeline;

import io.trackside.warehouse.Warehouse;
import io.trackside.warehouse.SessionSnapshot;
import io.trackside.warehouse.Suppressions;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline as configured, in its fixed order. The order matters: the suppression check
 * comes first (a suppressed person's event costs nothing more); page fields are cleaned (URL
 * hygiene) before anything reads them; the campaign step's utm values and click ids feed the
 * referrer step's channel; the behaviour bot layer needs the visitor id; dropping bots comes
 * after every bot layer; the tracking plan checks traits and properties as clients sent them, so
 * it runs before PII is scrubbed; everything that needs the full IP (the cookieless visitor id)
 * runs before it is truncated; sessions come last, as they need the visitor id and the campaign.
 */
public final class StandardPipeline implements Pipeline.Factory {

  /** How far back session numbers are restored from the warehouse at start. */
  static final Duration SESSION_COUNT_LOOK_BACK = Duration.ofDays(90);
  /** Visitors per generation of {@link SessionCounts}: 2^18, 6 MB each. */
  static final int SESSION_COUNTS_PER_GENERATION = 1 << 18;

  private static final Logger log = LoggerFactory.getLogger(StandardPipeline.class);

  private final PipelineConfig config;
  private final StepTimings timings;
  private final ActiveTrackingPlan trackingPlan;
  private final DailySalts salts;
  private final Suppressions suppressions;
  private final java.util.concurrent.atomic.AtomicInteger writersStarted = new java.util.concurrent.atomic.AtomicInteger();
  private final Warehouse warehouse;
  private final SessionCounts sessionCounts = new SessionCounts(SESSION_COUNTS_PER_GENERATION);
  /** Shared by every worker's pipeline; null when user-agent enrichment is off. */
  private final UserAgentParser userAgents;
  private final GeoDatabases geo;

  /** Without a tracking plan, a warehouse or IP databases. */
  public StandardPipeline(PipelineConfig config, StepTimings timings) {
    this(config, timings, ActiveTrackingPlan.none());
  }

  /**
   * Without a warehouse (tests, benchmarks): cookieless salts in memory, no suppressions, no
   * sessions to resume; and without IP databases (no geo, no hosting-network bot layer).
   */
  public StandardPipeline(PipelineConfig config, StepTimings timings, ActiveTrackingPlan trackingPlan) {
    this(config, timings, trackingPlan, DailySalts.inMemory(config.timeZone(), Clock.systemUTC()), null,
        GeoDatabases.NONE);
  }

  /** Without IP databases: no geo, no hosting-network bot layer. */
  public StandardPipeline(PipelineConfig config, StepTimings timings, ActiveTrackingPlan trackingPlan,
                          DailySalts salts, Warehouse warehouse) {
    this(config, timings, trackingPlan, salts, warehouse, GeoDatabases.NONE);
  }

  /**
   * Starts the user-agent analyzer's warm-up in the background (when enabled) and returns at once.
   *
   * @param trackingPlan the plan in force, shared by every worker's pipeline and the reload API
   * @param salts        the cookieless salts, shared by every worker
   * @param warehouse    where suppressions live and sessions resume from; null for none
   * @param geo          the node's open IP databases (opened from {@code config.geo()}), shared by all workers
   */
  public StandardPipeline(PipelineConfig config, StepTimings timings, ActiveTrackingPlan trackingPlan,
                          DailySalts salts, Warehouse warehouse, GeoDatabases geo) {
    this.config = config;
    this.timings = timings;
    this.trackingPlan = trackingPlan;
    this.salts = salts;
    this.warehouse = warehouse;
    this.geo = geo;
    this.suppressions = warehouse != null ? warehouse.suppressions() : new Suppressions();
    this.userAgents = config.userAgent() ? UserAgentParser.shared() : null;
    if (userAgents != null) {
      userAgents.bindTo(timings.registry());
    }
    if (warehouse != null) {
      restoreSessionCounts();
    }
  }

  @Override
  public Pipeline create(int worker) {
    List<Step> steps = new ArrayList<>();
    steps.add(new SuppressionCheck(suppressions));
    steps.add(new PageFields());
    steps.add(new UrlHygiene(config.attribution().scrubParams()));
    steps.add(new CampaignFields());
    steps.add(new ReferrerChannel(config.attribution().referrers()));
    steps.add(new ConsentSignals());
    steps.add(new DeviceFields(userAgents));
    steps.add(new VisitorIds(salts, config.cookieless()));
    // Both need the full address. The hosting-network bot layer after the user-agent one (a bot
    // already flagged keeps its more telling reason) and before any step that drops bots.
    addIfOn(steps, geo.geoStep());
    addIfOn(steps, geo.hostingNetworkStep());
    if (config.behaviourMaxPages() > 0) {
      steps.add(new BotBehaviour(config.behaviourMaxPages(), config.behaviourWindow(), BotBehaviour.CAPACITY));
    }
    if (config.dropBots()) {
      steps.add(new BotDrop()); // after every bot layer (user agent, hosting network, behaviour)
    }
    // The plan describes traits and properties as clients send them, so it checks them before
    // PII hashing rewrites them.
    steps.add(new TrackingPlanCheck(trackingPlan));
    steps.add(new PiiScrub(config.pii()));
    steps.add(new IpTruncation(config.storeRawIp()));
    steps.add(new Sessions(config.sessionTimeout(), config.timeZone(), sessionCounts, liveSessions(worker)));
    return new Pipeline(steps, timings);
  }

  private static void addIfOn(List<Step> steps, Step step) {
    if (step != null) {
      steps.add(step);
    }
  }

  /**
   * The sessions the warehouse saw last, for a worker to resume. Every worker gets them all: the
   * ones of other workers' visitors cost a little memory until they are evicted, and no worker
   * needs to know how partitions are assigned.
   */
  private List<SessionSnapshot> liveSessions(int worker) {
    if (warehouse == null) {
      return List.of();
    }
    long started = System.nanoTime();
    try {
      List<SessionSnapshot> sessions = warehouse.recentSessions(config.sessionTimeout().plus(Sessions.LATE_ALLOWANCE));
      log.info("Sessions worker {}: resumed {} live sessions from the warehouse in {} ms", worker, sessions.size(),
          (System.nanoTime() - started) / 1_000_000);
      return sessions;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read recent sessions from the warehouse: " + e.getMessage(), e);
    }
  }

  /** The first writer finds the counts the constructor restored; every later one reads them again. */
  @Override
  public void writerStarting() {
    if (writersStarted.getAndIncrement() > 0 && warehouse != null) {
      restoreSessionCounts(); // keeps the higher of what is known and what the warehouse says
    }
  }

  private void restoreSessionCounts() {
    long started = System.nanoTime();
    int[] n = {0};
    try {
      warehouse.sessionCounts(SESSION_COUNT_LOOK_BACK, sessionCounts.capacity(), (visitor, count) -> {
        sessionCounts.restore(visitor, count);
        n[0]++;
      });
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read session counts from the warehouse: " + e.getMessage(), e);
    }
    log.info("Sessions: numbering resumed for {} recent visitors in {} ms", n[0],
        (System.nanoTime() - started) / 1_000_000);
  }
}
