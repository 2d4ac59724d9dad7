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
  private final ActiveTrackingPlan trackingPlan;

  /** Without a tracking plan. */
  public StandardPipeline(PipelineConfig config, StepTimings timings) {
    this(config, timings, ActiveTrackingPlan.none());
  }

  /** @param trackingPlan the plan in force, shared by every worker's pipeline and the reload API */
  public StandardPipeline(PipelineConfig config, StepTimings timings, ActiveTrackingPlan trackingPlan) {
    this.config = config;
    this.timings = timings;
    this.trackingPlan = trackingPlan;
  }

  @Override
  public Pipeline create(int worker) {
    List<Step> steps = new ArrayList<>();
    steps.add(new PageFields());
    steps.add(new CampaignFields());
    steps.add(new DeviceFields());
    steps.add(new VisitorIds());
    // After enrichment (it needs only the name and properties), but before any privacy step that
    // rewrites properties (PII hashing): the plan describes what clients send.
    steps.add(new TrackingPlanCheck(trackingPlan));
    steps.add(new IpTruncation(config.storeRawIp()));
    return new Pipeline(steps, timings);
  }
}
