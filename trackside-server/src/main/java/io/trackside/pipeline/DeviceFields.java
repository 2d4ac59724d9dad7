package io.trackside.pipeline;

import static io.trackside.pipeline.JsonText.nonEmpty;
import static io.trackside.pipeline.JsonText.text;

import io.trackside.core.EnrichedEvent;

/** The user agent: {@code context.userAgent} as sent by the client, else the request's header. */
final class DeviceFields implements Step {

  @Override
  public String name() {
    return "device";
  }

  @Override
  public void apply(EnrichedEvent e) {
    String sent = nonEmpty(text(e.event().context(), "userAgent"));
    e.userAgent = sent != null ? sent : e.event().userAgent();
  }
}
