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

  public StandardPipeline(PipelineConfig config, StepTimings timings) {
    this.config = config;
    this.timings = timings;
  }

  @Override
  public Pipeline create(int worker) {
    List<Step> steps = new ArrayList<>();
    steps.add(new PageFields());
    steps.add(new CampaignFields());
    steps.add(new DeviceFields());
    steps.add(new VisitorIds());
    steps.add(new IpTruncation(config.storeRawIp()));
    return new Pipeline(steps, timings);
  }
}
