package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;

/**
 * The address to store: truncated (IPv4 /24, IPv6 /48) unless the operator turned on raw IPs.
 * Runs after every step that needs the full address (geo, hosting networks, cookieless id),
 * which read {@link EnrichedEvent#rawIp()}.
 */
final class IpTruncation implements Step {

  private final boolean storeRawIp;

  IpTruncation(boolean storeRawIp) {
    this.storeRawIp = storeRawIp;
  }

  @Override
  public String name() {
    return "ip";
  }

  @Override
  public void apply(EnrichedEvent e) {
    String raw = e.rawIp();
    e.ip = storeRawIp ? raw : IpAddresses.truncate(raw);
  }
}
