package io.trackside.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The pipeline as configured, in its fixed order. The order matters: page fields are cleaned
 * (URL hygiene) before anything reads them; the campaign step's utm values and click ids feed
 * the referrer step's channel; the behaviour bot layer needs the visitor id; dropping bots comes
 * after every bot layer; the tracking plan checks traits and properties as clients sent them, so
 * it runs before PII is scrubbed; everything that needs the full IP runs before it is truncated.
 */
public final class StandardPipeline implements Pipeline.Factory {

  private final PipelineConfig config;
  private final StepTimings timings;
  private final ActiveTrackingPlan trackingPlan;
  /** Shared by every worker's pipeline; null when user-agent enrichment is off. */
  private final UserAgentParser userAgents;
  private final GeoDatabases geo;

  /** Without a tracking plan and without IP databases. */
  public StandardPipeline(PipelineConfig config, StepTimings timings) {
    this(config, timings, ActiveTrackingPlan.none(), GeoDatabases.NONE);
  }

  /** Without IP databases: no geo, no hosting-network bot layer. */
  public StandardPipeline(PipelineConfig config, StepTimings timings, ActiveTrackingPlan trackingPlan) {
    this(config, timings, trackingPlan, GeoDatabases.NONE);
  }

  /**
   * Starts the user-agent analyzer's warm-up in the background (when enabled) and returns at once.
   *
   * @param trackingPlan the plan in force, shared by every worker's pipeline and the reload API
   * @param geo          the node's open IP databases (opened from {@code config.geo()}), shared by all workers
   */
  public StandardPipeline(PipelineConfig config, StepTimings timings, ActiveTrackingPlan trackingPlan, GeoDatabases geo) {
    this.config = config;
    this.timings = timings;
    this.trackingPlan = trackingPlan;
    this.geo = geo;
    this.userAgents = config.userAgent() ? UserAgentParser.shared() : null;
    if (userAgents != null) {
      userAgents.bindTo(timings.registry());
    }
  }

  @Override
  public Pipeline create(int worker) {
    List<Step> steps = new ArrayList<>();
    steps.add(new PageFields());
    steps.add(new UrlHygiene(config.attribution().scrubParams()));
    steps.add(new CampaignFields());
    steps.add(new ReferrerChannel(config.attribution().referrers()));
    steps.add(new ConsentSignals());
    steps.add(new DeviceFields(userAgents));
    steps.add(new VisitorIds());
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
    return new Pipeline(steps, timings);
  }

  private static void addIfOn(List<Step> steps, Step step) {
    if (step != null) {
      steps.add(step);
    }
  }
}
