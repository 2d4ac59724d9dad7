package io.trackside.pipeline;

import static io.trackside.pipeline.UserAgents.enriched;
import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.core.EnrichedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BotBehaviourTest {

  private static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

  private final BotBehaviour step = new BotBehaviour(10, Duration.ofSeconds(10), 1000);

  /** Runs an event of the visitor through VisitorIds and the behaviour step, as the pipeline does. */
  private EnrichedEvent send(BotBehaviour behaviour, String visitor, String type, Instant at) {
    String json = "{\"type\":\"" + type + "\",\"anonymousId\":\"" + visitor + "\",\"timestamp\":\"" + at + "\""
        + (type.equals("track") ? ",\"event\":\"Added To Cart\"" : "") + "}";
    EnrichedEvent e = enriched(json, null);
    new VisitorIds(DailySalts.inMemory(java.time.ZoneOffset.UTC, java.time.Clock.systemUTC()), true).apply(e);
    behaviour.apply(e);
    return e;
  }

  @Test
  void moreThanTenPageViewsInTenSecondsIsABotFromTheEleventhOn() {
    List<EnrichedEvent> views = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      views.add(send(step, "crawler", "page", T0.plusMillis(800L * i)));
    }

    assertThat(views.subList(0, 10)).allSatisfy(e -> assertThat(e.bot).isFalse()); // not flagged afterwards
    assertThat(views.subList(10, 12)).allSatisfy(e -> {
      assertThat(e.bot).isTrue();
      assertThat(e.botReason).isEqualTo("behaviour");
    });
  }

  @Test
  void laterEventsOfAFlaggedVisitorInTheWindowAreFlaggedTooThenItEnds() {
    for (int i = 0; i < 11; i++) {
      send(step, "crawler", "screen", T0.plusMillis(500L * i)); // 11th at +5 s
    }
    assertThat(send(step, "crawler", "track", T0.plusSeconds(9)).botReason).isEqualTo("behaviour");
    assertThat(send(step, "crawler", "track", T0.plusSeconds(15)).botReason).isEqualTo("behaviour");
    assertThat(send(step, "crawler", "track", T0.plusMillis(15_001)).bot).as("window after the last trip has passed")
        .isFalse();
    assertThat(send(step, "crawler", "page", T0.plusSeconds(40)).bot).isFalse();
  }

  @Test
  void aBusyHumanIsNotABot() {
    for (int i = 0; i < 50; i++) { // a page every 1.1 s for almost a minute: 10 views span 9.9 s at most
      assertThat(send(step, "human", "page", T0.plusMillis(1100L * i)).bot).isFalse();
    }
    for (int i = 0; i < 100; i++) { // any number of track events
      assertThat(send(step, "human", "track", T0.plusMillis(10L * i)).bot).isFalse();
    }
  }

  @Test
  void exactlyTheLimitIsFine() {
    for (int i = 0; i < 10; i++) {
      assertThat(send(step, "v", "page", T0.plusMillis(100L * i)).bot).isFalse();
    }
    assertThat(send(step, "v", "page", T0.plusSeconds(10).plusMillis(1)).bot).as("11 views spanning just over 10 s")
        .isFalse();
    assertThat(send(step, "v", "page", T0.plusSeconds(10).plusMillis(2)).bot).as("11 views spanning 9.9 s").isTrue();
  }

  @Test
  void visitorsAreCountedApart() {
    for (int i = 0; i < 30; i++) {
      assertThat(send(step, "v-" + (i % 3), "page", T0.plusMillis(100L * i)).bot).isFalse();
    }
  }

  @Test
  void outOfOrderTimestampsCountByTheirSpan() {
    for (int i = 10; i >= 1; i--) {
      assertThat(send(step, "v", "page", T0.plusSeconds(i)).bot).isFalse();
    }
    assertThat(send(step, "v", "page", T0.plusMillis(5500)).bot).isTrue();
    assertThat(send(step, "v", "track", T0.plusSeconds(2)).bot).as("before the trip: not flagged").isFalse();
  }

  @Test
  void anotherLayersReasonIsKept() {
    for (int i = 0; i < 20; i++) {
      EnrichedEvent e = enriched("{\"type\":\"page\",\"anonymousId\":\"g\",\"timestamp\":\"" + T0.plusMillis(i) + "\"}",
          null);
      new VisitorIds(DailySalts.inMemory(java.time.ZoneOffset.UTC, java.time.Clock.systemUTC()), true).apply(e);
      e.bot = true;
      e.botReason = "user_agent";
      step.apply(e);
      assertThat(e.botReason).isEqualTo("user_agent");
    }
  }

  @Test
  void memoryIsBoundedByForgettingTheLeastRecentlySeenVisitor() {
    BotBehaviour small = new BotBehaviour(3, Duration.ofSeconds(10), 2);
    send(small, "a", "page", T0);
    send(small, "a", "page", T0.plusMillis(1));
    send(small, "a", "page", T0.plusMillis(2));
    send(small, "b", "page", T0.plusMillis(3));
    send(small, "c", "page", T0.plusMillis(4)); // "a" is forgotten
    assertThat(send(small, "a", "page", T0.plusMillis(5)).bot).as("counting starts again").isFalse();
    send(small, "a", "page", T0.plusMillis(6));
    send(small, "a", "page", T0.plusMillis(7));
    assertThat(send(small, "a", "page", T0.plusMillis(8)).bot).isTrue();
  }
}
