package io.trackside.core;

/**
 * Segment's documented limits: 32 KB per event, 500 KB per request, 2,500 events per batch.
 * The nesting limit protects the parser from hostile input; real events nest a few levels.
 */
public record IntakeLimits(int maxEventBytes, int maxRequestBytes, int maxBatchEvents, int maxNestingDepth) {
  public static IntakeLimits segmentDefaults() {
    return new IntakeLimits(32 * 1024, 500 * 1024, 2500, 64);
  }
}
