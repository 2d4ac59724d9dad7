package io.trackside.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The pipeline as configured, in its fixed order. The order matters: page fields are cleaned
 * (URL hygiene) before anything reads them; the campaign step's utm values and click ids feed
 * the referrer step's channel; PII is scrubbed after every step that reads properties and
 * traits as clients sent them; everything that needs the full IP runs before it is truncated.
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
    steps.add(new UrlHygiene(config.attribution().scrubParams()));
    steps.add(new CampaignFields());
    steps.add(new ReferrerChannel(config.attribution().referrers()));
    steps.add(new ConsentSignals());
    steps.add(new DeviceFields());
    steps.add(new VisitorIds());
    // Last before the IP: a tracking-plan check belongs before it, since the plan describes
    // traits and properties as clients send them, not as hashed here.
    steps.add(new PiiScrub(config.pii()));
    steps.add(new IpTruncation(config.storeRawIp()));
    return new Pipeline(steps, timings);
  }
}
