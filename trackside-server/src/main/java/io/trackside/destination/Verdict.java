package io.trackside.destination;

/** What a platform's answer means for the events of a request. */
public sealed interface Verdict {

  Verdict DELIVERED = new Delivered();

  /** Accepted. */
  record Delivered() implements Verdict {
  }

  /**
   * The request was refused and sending it again will not help. For several events the engine
   * splits the request to find the bad ones, since some platforms (Meta) refuse a whole request
   * for one bad event; a single refused event is dead-lettered with this reason.
   */
  record Rejected(String reason) implements Verdict {
  }

  /** A transient problem reported in a non-5xx answer: sent again later. */
  record Retry(String reason) implements Verdict {
  }
}
