package io.trackside.pipeline;

/**
 * A step was interrupted while it waited for something it needs (the worker is being stopped).
 * Unlike any other exception of a step it does not quarantine the event: the pipeline lets it
 * through and the worker abandons its batch uncommitted, so the events are read again, whole,
 * on the next start.
 */
public final class PipelineInterruptedException extends RuntimeException {

  public PipelineInterruptedException(String message) {
    super(message);
  }
}
