package io.trackside.destination;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Batches of events as JSON to any URL. Each request is signed: {@code X-Trackside-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>}, so the receiver can
 * check it came from us and is fresh (reject old timestamps to stop replays). The contract
 * (docs/destinations/webhook.md): 2xx accepts the batch; 408, 429 and 5xx are retried with
 * backoff, honouring Retry-After; any other 4xx refuses it, and the batch is split until the
 * refused events are found and dead-lettered. Events carry a stable {@code eventId}: a receiver
 * that may see a batch twice (after a timeout) deduplicates on it.
 */
final class WebhookDestination implements Destination {
  static final String SIGNATURE_HEADER = "X-Trackside-Signature";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI url;
  private final byte[] secret;
  private final Map<String, String> headers;

  WebhookDestination(DestinationConfig config) {
    this.url = URI.create(config.requiredOption("url"));
    String key = config.option("secret", null);
    this.secret = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    Map<String, String> extra = new LinkedHashMap<>();
    config.options().path("headers").fields().forEachRemaining(h -> extra.put(h.getKey(), h.getValue().asText()));
    this.headers = Map.copyOf(extra);
  }

  @Override
  public String type() {
    return "webhook";
  }

  @Override
  public Set<String> requiredConsent() {
    return Set.of(); // the operator's own system: consent is whatever the config asks for
  }

  @Override
  public DestinationLimits limits() {
    return new DestinationLimits(500, 5 * 1024 * 1024, null);
  }

  @Override
  public Mapped map(DeliveryEvent e) {
    ObjectNode body = e.segment().deepCopy();
    body.put("eventId", e.eventId());
    ObjectNode t = body.putObject("trackside");
    put(t, "source", e.source());
    put(t, "visitorId", e.visitorId());
    put(t, "sessionId", e.sessionId());
    put(t, "channel", e.channel());
    put(t, "country", e.country());
    put(t, "region", e.region());
    put(t, "city", e.city());
    put(t, "deviceClass", e.deviceClass());
    put(t, "browser", e.browser());
    put(t, "os", e.os());
    e.consent().forEach(t.putArray("consent")::add);
    return new Mapped.Send(e.eventId(), null, body, e.recordBytes() + 64);
  }

  @Override
  public OutgoingRequest request(List<Mapped.Send> payloads) {
    ObjectNode root = JSON.createObjectNode();
    root.put("sentAt", Instant.now().toString());
    ArrayNode batch = root.putArray("batch");
    payloads.forEach(p -> batch.add(p.body()));
    byte[] body = bytes(root);
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put("Content-Type", "application/json");
    if (secret != null) {
      long t = Instant.now().getEpochSecond();
      all.put(SIGNATURE_HEADER, "t=" + t + ",v1=" + hmac(secret, t, body));
    }
    return new OutgoingRequest("POST", url, all, body);
  }

  @Override
  public Verdict verdict(int status, String body) {
    return status >= 200 && status < 300 ? Verdict.DELIVERED
        : new Verdict.Rejected("webhook answered " + status + ": " + (body.length() > 500 ? body.substring(0, 500) : body));
  }

  /** The signature of a body sent at unix second {@code t}: hex HMAC-SHA256 of "t.body". */
  static String hmac(byte[] secret, long t, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
      byte[] digest = mac.doFinal(body);
      StringBuilder hex = new StringBuilder(64);
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static void put(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  private static byte[] bytes(ObjectNode root) {
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
