package io.trackside.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The pipeline as configured, in its fixed order. The order matters: page fields feed the
 * referrer and campaign steps; everything that needs the full IP runs before it is truncated.
 */
public final class StandardPipeline implements Pipeline.Factory {

  private final PipelineConfig config;
  private final StepTimings timings;
  private final GeoDatabases geo;

  /** Without IP databases: no geo, no hosting-network bot layer. */
  public StandardPipeline(PipelineConfig config, StepTimings timings) {
    this(config, timings, GeoDatabases.NONE);
  }

  /** @param geo the node's open IP databases (opened from {@code config.geo()}), shared by all workers */
  public StandardPipeline(PipelineConfig config, StepTimings timings, GeoDatabases geo) {
    this.config = config;
    this.timings = timings;
    this.geo = geo;
  }

  @Override
  public Pipeline create(int worker) {
    List<Step> steps = new ArrayList<>();
    steps.add(new PageFields());
    steps.add(new CampaignFields());
    steps.add(new DeviceFields());
    steps.add(new VisitorIds());
    // Both need the full address. The hosting-network bot layer after the user-agent one (a bot
    // already flagged keeps its more telling reason) and before any step that drops bots.
    addIfOn(steps, geo.geoStep());
    addIfOn(steps, geo.hostingNetworkStep());
    steps.add(new IpTruncation(config.storeRawIp()));
    return new Pipeline(steps, timings);
  }

  private static void addIfOn(List<Step> steps, Step step) {
    if (step != null) {
      steps.add(step);
    }
  }
}
