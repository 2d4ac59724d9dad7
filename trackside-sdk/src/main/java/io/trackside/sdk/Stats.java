package io.trackside.sdk;

/**
 * What became of every event given to {@link Trackside#enqueue}, counted since the client was
 * built. Taken in one moment, so it always adds up:
 * {@code enqueued = sent + dropped() + pending}.
 *
 * @param enqueued         calls to enqueue (each one event), whatever became of them
 * @param sent             events the server acknowledged (2xx)
 * @param retried          events sent again after a failed attempt; an event retried twice counts twice
 * @param droppedQueueFull refused at once because the queue was full (the server was slow or down)
 * @param droppedOversize  refused at once for being over the per-event limit (32 KB)
 * @param droppedInvalid   refused at once: a required field missing, or a value that cannot be JSON
 * @param droppedClosed    enqueued after {@link Trackside#close()}
 * @param rejected         refused by the server with a 4xx other than 408/429 (e.g. 400): not retried
 * @param givenUp          still failing after the last retry, or unsent when close() ran out of time
 * @param requests         batch requests the server acknowledged
 * @param pending          in the queue or in a request that has not been answered yet
 */
public record Stats(long enqueued, long sent, long retried, long droppedQueueFull, long droppedOversize,
                    long droppedInvalid, long droppedClosed, long rejected, long givenUp, long requests,
                    long pending) {

  /** Every event that will not reach the server: all the drops, the rejected and the given up. */
  public long dropped() {
    return droppedQueueFull + droppedOversize + droppedInvalid + droppedClosed + rejected + givenUp;
  }
}
