package io.trackside.pipeline;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * How the tracking plan is applied (the {@code tracking-plan:} section of the config): where the
 * plan file is, and per source what happens to an event that violates it or that it does not
 * know. The plan itself (the schemas) lives in its own file so that it can be reloaded without a
 * restart; the modes are configuration.
 *
 * @param file      the plan file (JSON or YAML), or null for no plan: then nothing is checked
 * @param defaults  the rules of every source not named in {@code sources}
 * @param sources   rules by source name, each already completed with the defaults
 */
public record TrackingPlanConfig(Path file, Rules defaults, Map<String, Rules> sources) {

  /** What a violation of the plan does to an event. */
  public enum Mode {
    /** Store the event; record the violations in its plan_violations column. */
    ALLOW,
    /** Keep it out of the events table, in the quarantine with reason schema_violation. */
    BLOCK;

    public static Mode parse(String text) {
      return Mode.valueOf(text.trim().toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What happens to a track event whose name the plan does not list. */
  public enum Unplanned {
    /** Store it as if there were no plan. */
    ALLOW,
    /** Store it with the violation "unplanned event". */
    FLAG,
    /** Quarantine it with reason unplanned_event. */
    BLOCK;

    public static Unplanned parse(String text) {
      return Unplanned.valueOf(text.trim().toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The rules for one source. */
  public record Rules(Mode mode, Unplanned unplanned) {
  }

  public TrackingPlanConfig {
    sources = Map.copyOf(sources);
  }

  /** No plan file: every event passes unchecked. */
  public static TrackingPlanConfig none() {
    return new TrackingPlanConfig(null, new Rules(Mode.ALLOW, Unplanned.ALLOW), Map.of());
  }

  public Rules rulesFor(String source) {
    Rules rules = source == null ? null : sources.get(source);
    return rules != null ? rules : defaults;
  }
}
