package io.trackside.destination;

import java.util.List;
import java.util.Set;

/**
 * One platform's protocol: which events it takes, what they look like on its wire, and what its
 * answers mean. Everything else — the log position, batching, concurrency, retries with backoff,
 * the circuit breaker, consent and filters, dead letters, metrics — is the {@link Delivery}
 * engine's, shared by every destination, so a destination is only a mapping.
 *
 * <p>Implementations are used by one delivery thread at a time but must not keep per-event state
 * between calls: a batch can be split and sent again (to isolate a bad event), retried, or
 * replayed days later, and must come out the same each time.
 */
public interface Destination {

  /** The platform, as written in the config's {@code type} (ga4, meta, webhook, segment). */
  String type();

  /**
   * Consent purposes every event needs before it may be sent here ("analytics", "advertising",
   * ...), the defaults of the platform; the operator can override them per destination.
   */
  Set<String> requiredConsent();

  /** The platform's limits the engine batches within. */
  DestinationLimits limits();

  /**
   * This event in the platform's shape ({@link Mapped.Send}), or why it is not sent: not for this
   * platform ({@link Mapped.Skip}, counted as filtered) or never sendable, for example too old or
   * missing what the platform requires ({@link Mapped.Reject}, dead-lettered with the reason).
   */
  Mapped map(DeliveryEvent event);

  /** One HTTP request carrying these payloads, which all have the same batch key. */
  OutgoingRequest request(List<Mapped.Send> payloads);

  /**
   * What an answer means that is neither a transport failure nor 408/429/5xx (the engine retries
   * those itself, honouring Retry-After): usually 2xx → delivered and other 4xx → rejected, but
   * some platforms answer 200 with errors in the body, or 400 for a transient problem.
   */
  Verdict verdict(int status, String body);
}
