package io.trackside.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The pipeline as configured, in its fixed order. The order matters: page fields feed the
 * referrer and campaign steps; the behaviour bot layer needs the visitor id; dropping bots
 * comes after every bot layer; everything that needs the full IP runs before it is truncated.
 */
public final class StandardPipeline implements Pipeline.Factory {

  private final PipelineConfig config;
  private final StepTimings timings;
  /** Shared by every worker's pipeline; null when user-agent enrichment is off. */
  private final UserAgentParser userAgents;

  /** Starts the user-agent analyzer's warm-up in the background (when enabled) and returns at once. */
  public StandardPipeline(PipelineConfig config, StepTimings timings) {
    this.config = config;
    this.timings = timings;
    this.userAgents = config.userAgent() ? UserAgentParser.shared() : null;
    if (userAgents != null) {
      userAgents.bindTo(timings.registry());
    }
  }

  @Override
  public Pipeline create(int worker) {
    List<Step> steps = new ArrayList<>();
    steps.add(new PageFields());
    steps.add(new CampaignFields());
    steps.add(new DeviceFields(userAgents));
    steps.add(new VisitorIds());
    if (config.behaviourMaxPages() > 0) {
      steps.add(new BotBehaviour(config.behaviourMaxPages(), config.behaviourWindow(), BotBehaviour.CAPACITY));
    }
    if (config.dropBots()) {
      steps.add(new BotDrop()); // after every bot layer (user agent, hosting network, behaviour)
    }
    steps.add(new IpTruncation(config.storeRawIp()));
    return new Pipeline(steps, timings);
  }
}
