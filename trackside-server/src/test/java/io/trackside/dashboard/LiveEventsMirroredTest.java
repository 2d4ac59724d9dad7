package io.trackside.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.warehouse.MirroredEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events a dashboard node's mirror copied reach the live view as the ones its own writer stored would. */
class LiveEventsMirroredTest {

  @Test
  void mirroredEventsBecomeTheSameMessagesAfterThoseAlreadyThere() {
    LiveEvents live = new LiveEvents(10);
    long before = live.newestId();
    live.publishMirrored(List.of(
        new MirroredEvent(Instant.parse("2026-11-29T10:00:00.123456Z"), Instant.parse("2026-11-29T10:00:01Z"), "page",
            null, null, "/pricing", "v1", "DE", "desktop", "direct", null),
        new MirroredEvent(null, Instant.parse("2026-11-29T10:00:02Z"), "track", null, "Clicked \"x\"\n", null, "v2",
            null, null, null, true)));
    LiveEvents.Slice slice = live.after(before, 10);
    assertThat(slice.missed()).isFalse();
    assertThat(slice.messages()).extracting(LiveEvents.Message::text).containsExactly(
        "id: " + (before + 1) + "\ndata: {\"time\":\"2026-11-29T10:00:00.123456Z\",\"type\":\"page\",\"event\":null,"
            + "\"page\":\"/pricing\",\"visitorId\":\"v1\",\"country\":\"DE\",\"device\":\"desktop\","
            + "\"channel\":\"direct\",\"bot\":false}\n\n",
        "id: " + (before + 2) + "\ndata: {\"time\":\"2026-11-29T10:00:02Z\",\"type\":\"track\","
            + "\"event\":\"Clicked \\\"x\\\"\\n\",\"page\":null,\"visitorId\":\"v2\",\"country\":null,\"device\":null,"
            + "\"channel\":null,\"bot\":true}\n\n");
  }
}
