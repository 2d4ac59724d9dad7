package io.trackside.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracking plan in force, shared by every worker's {@link TrackingPlanCheck} and by the
 * reload API. A reload compiles the file into a new {@link TrackingPlan} and swaps it in with
 * one volatile write, so workers never lock and never see half a plan; an invalid file leaves
 * the old plan in force.
 */
public final class ActiveTrackingPlan {

  private static final Logger log = LoggerFactory.getLogger(ActiveTrackingPlan.class);

  private final TrackingPlanConfig config;
  private volatile TrackingPlan plan;

  private ActiveTrackingPlan(TrackingPlanConfig config, TrackingPlan plan) {
    this.config = config;
    this.plan = plan;
  }

  /** No plan: nothing is checked. */
  public static ActiveTrackingPlan none() {
    return new ActiveTrackingPlan(TrackingPlanConfig.none(), null);
  }

  /** Loads the configured plan file, if any. */
  public static ActiveTrackingPlan load(TrackingPlanConfig config) throws InvalidTrackingPlanException {
    if (config.file() == null) {
      return new ActiveTrackingPlan(config, null);
    }
    TrackingPlan plan = TrackingPlan.load(config.file());
    log.info("Tracking plan {} loaded: {} events planned; default mode {}, unplanned events {}",
        config.file().toAbsolutePath(), plan.eventNames().size(), config.defaults().mode(),
        config.defaults().unplanned());
    return new ActiveTrackingPlan(config, plan);
  }

  /** The plan in force, or null when none is configured. */
  public TrackingPlan current() {
    return plan;
  }

  public TrackingPlanConfig config() {
    return config;
  }

  /**
   * Re-reads the plan file. On success the new plan applies to the next event every worker
   * checks; on failure the old one stays.
   *
   * @throws IllegalStateException        when no plan file is configured
   * @throws InvalidTrackingPlanException when the file cannot be used (the old plan stays)
   */
  public synchronized TrackingPlan reload() throws InvalidTrackingPlanException {
    if (config.file() == null) {
      throw new IllegalStateException("no tracking plan is configured: set tracking-plan.file in the config and"
          + " restart Trackside");
    }
    TrackingPlan fresh;
    try {
      fresh = TrackingPlan.load(config.file());
    } catch (InvalidTrackingPlanException e) {
      log.warn("Tracking plan reload failed; the previous plan stays in force: {}", e.getMessage());
      throw e;
    }
    plan = fresh;
    log.info("Tracking plan {} reloaded: {} events planned", config.file().toAbsolutePath(), fresh.eventNames().size());
    return fresh;
  }
}
