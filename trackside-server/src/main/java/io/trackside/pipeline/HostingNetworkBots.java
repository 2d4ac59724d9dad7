package io.trackside.pipeline;

import io.trackside.core.EnrichedEvent;
import java.net.InetAddress;

/**
 * The "data-centre address" bot layer: an event whose client address belongs to a hosting or
 * cloud network ({@link HostingNetworks}) is flagged {@code bot}, reason
 * {@code hosting_network}, unless an earlier layer already flagged it (its reason is the more
 * telling one). Flags only; dropping bots is a separate decision.
 *
 * <p>Looked up from the full address, before truncation; cached per worker like {@link GeoFields}.
 */
final class HostingNetworkBots implements Step {

  static final String REASON = "hosting_network";

  private final HostingNetworks networks;
  private final AddressCache<Boolean> cache = new AddressCache<>(GeoFields.CACHE_SLOTS);

  HostingNetworkBots(HostingNetworks networks) {
    this.networks = networks;
  }

  @Override
  public String name() {
    return REASON;
  }

  @Override
  public void apply(EnrichedEvent e) {
    if (e.bot) {
      return;
    }
    String ip = e.rawIp();
    if (ip == null || ip.isEmpty() || ip.length() > GeoFields.MAX_ADDRESS_LENGTH) {
      return;
    }
    Boolean hosting = cache.get(ip);
    if (hosting == null) {
      InetAddress address = IpAddresses.parse(ip);
      hosting = address != null && IpAddresses.isPublic(address) && networks.isHosting(address);
      cache.put(ip, hosting);
    }
    if (hosting) {
      e.bot = true;
      e.botReason = REASON;
    }
  }
}
