package io.trackside.pipeline;

import static io.trackside.pipeline.PipelineEvents.CHROME_WINDOWS;
import static io.trackside.pipeline.PipelineEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.core.EnrichedEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionsTest {

  private static final Instant T0 = Instant.parse("2025-06-02T10:00:00Z");

  private Sessions sessions = sessions(ZoneOffset.UTC, new SessionCounts(1024));

  private static Sessions sessions(ZoneId zone, SessionCounts counts) {
    return new Sessions(Duration.ofMinutes(30), zone, counts, List.of());
  }

  /** Runs the steps sessions depend on, then sessions; received a second after it happened. */
  private EnrichedEvent at(Instant happened, String json) {
    return at(happened, happened.plusSeconds(1), json);
  }

  private EnrichedEvent at(Instant happened, Instant received, String json) {
    EnrichedEvent e = new EnrichedEvent(event("web", json.replace("$TS", happened.toString()), received,
        "198.51.100.7", CHROME_WINDOWS));
    new PageFields().apply(e);
    new CampaignFields().apply(e);
    new VisitorIds(DailySalts.inMemory(ZoneOffset.UTC, new MutableClock(received)), true).apply(e);
    sessions.apply(e);
    return e;
  }

  private EnrichedEvent page(String visitor, Instant at, String url) {
    return at(at, """
        {"type":"page","anonymousId":"%s","timestamp":"$TS","context":{"page":{"url":"%s"}}}""".formatted(visitor, url));
  }

  private EnrichedEvent page(String visitor, Instant at) {
    return page(visitor, at, "https://shop.example/");
  }

  private static Instant min(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  @Test
  void thirtyMinutesOfSilenceEndASession() {
    EnrichedEvent first = page("a-1", min(0));
    EnrichedEvent second = page("a-1", min(29));
    EnrichedEvent afterABreak = page("a-1", min(29 + 31));
    assertThat(first.sessionId).matches("[0-9a-f]{32}").isEqualTo(second.sessionId);
    assertThat(first.sessionNumber).isEqualTo(1);
    assertThat(afterABreak.sessionId).isNotEqualTo(first.sessionId);
    assertThat(afterABreak.sessionNumber).isEqualTo(2);
    // Another visitor at the same moment has a session of their own.
    EnrichedEvent other = page("a-2", min(29));
    assertThat(other.sessionId).isNotEqualTo(first.sessionId);
    assertThat(other.sessionNumber).isEqualTo(1);
  }

  @Test
  void midnightInTheSitesTimeZoneEndsASession() {
    sessions = sessions(ZoneId.of("Europe/Berlin"), new SessionCounts(1024));
    // 23:50 and 00:10 in Berlin (summer time, UTC+2).
    EnrichedEvent beforeMidnight = page("a-1", Instant.parse("2025-06-02T21:50:00Z"));
    EnrichedEvent afterMidnight = page("a-1", Instant.parse("2025-06-02T22:10:00Z"));
    assertThat(afterMidnight.sessionId).isNotEqualTo(beforeMidnight.sessionId);
    assertThat(afterMidnight.sessionNumber).isEqualTo(2);

    // The same twenty minutes are one session in UTC, where midnight is two hours later.
    sessions = sessions(ZoneOffset.UTC, new SessionCounts(1024));
    EnrichedEvent a = page("a-1", Instant.parse("2025-06-02T21:50:00Z"));
    EnrichedEvent b = page("a-1", Instant.parse("2025-06-02T22:10:00Z"));
    assertThat(b.sessionId).isEqualTo(a.sessionId);
    EnrichedEvent lateEvening = page("a-2", Instant.parse("2025-06-02T23:50:00Z"));
    EnrichedEvent pastMidnight = page("a-2", Instant.parse("2025-06-03T00:05:00Z"));
    assertThat(pastMidnight.sessionId).isNotEqualTo(lateEvening.sessionId);
  }

  @Test
  void aNewCampaignStartsASessionAndPagesWithoutOneContinueIt() {
    String ad = "https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=spring_sale";
    EnrichedEvent landing = page("a-1", min(0), ad);
    assertThat(landing.utmSource).isEqualTo("google");
    EnrichedEvent next = page("a-1", min(2), "https://shop.example/p/blue-shoes");
    EnrichedEvent reload = page("a-1", min(3), ad);
    EnrichedEvent newsletter = page("a-1", min(5), "https://shop.example/?utm_source=newsletter&utm_medium=email"
        + "&utm_campaign=june");
    EnrichedEvent afterNewsletter = page("a-1", min(6), "https://shop.example/cart");
    assertThat(List.of(next.sessionId, reload.sessionId)).containsOnly(landing.sessionId);
    assertThat(newsletter.sessionId).isNotEqualTo(landing.sessionId);
    assertThat(newsletter.sessionNumber).isEqualTo(2);
    assertThat(afterNewsletter.sessionId).isEqualTo(newsletter.sessionId);
  }

  @Test
  void aNewClickIdOnALandingStartsASessionTheSameOneDoesNot() {
    EnrichedEvent first = clicked("a-1", min(0), "Cj0KCQjw-first");
    EnrichedEvent again = clicked("a-1", min(1), "Cj0KCQjw-first");
    EnrichedEvent secondAd = clicked("a-1", min(4), "Cj0KCQjw-second");
    assertThat(again.sessionId).isEqualTo(first.sessionId);
    assertThat(secondAd.sessionId).isNotEqualTo(first.sessionId);
    assertThat(page("a-1", min(5)).sessionId).isEqualTo(secondAd.sessionId);
  }

  /** A landing with a gclid, as the click-id step (another engineer's) leaves it. */
  private EnrichedEvent clicked(String visitor, Instant when, String gclid) {
    EnrichedEvent e = new EnrichedEvent(event("web", """
        {"type":"page","anonymousId":"%s","timestamp":"%s","context":{"page":{"url":"https://shop.example/?gclid=%s"}}}"""
        .formatted(visitor, when, gclid), when.plusSeconds(1), "198.51.100.7", CHROME_WINDOWS));
    new PageFields().apply(e);
    new CampaignFields().apply(e);
    e.clickIds.put("gclid", gclid);
    e.visitorId = visitor;
    sessions.apply(e);
    return e;
  }

  @Test
  void identifyJoinsALiveSessionButStartsNone() {
    EnrichedEvent nightlySync = at(min(0), "{\"type\":\"identify\",\"anonymousId\":\"a-1\",\"userId\":\"u-1\",\"timestamp\":\"$TS\"}");
    assertThat(nightlySync.sessionId).isNull();
    EnrichedEvent visit = page("a-1", min(1));
    EnrichedEvent login = at(min(2), "{\"type\":\"identify\",\"anonymousId\":\"a-1\",\"userId\":\"u-1\",\"timestamp\":\"$TS\"}");
    assertThat(visit.sessionNumber).isEqualTo(1);
    assertThat(login.sessionId).isEqualTo(visit.sessionId);
    EnrichedEvent muchLater = at(min(120), "{\"type\":\"alias\",\"previousId\":\"a-1\",\"anonymousId\":\"a-1\",\"userId\":\"u-1\",\"timestamp\":\"$TS\"}");
    assertThat(muchLater.sessionId).isNull();
  }

  @Test
  void lateEventsJoinTheSessionTheyBelongToWithoutRenumbering() {
    EnrichedEvent s1 = page("a-1", min(0));
    page("a-1", min(10));
    // Arrives after the event of minute 10 but happened at minute 5, or shortly before the start.
    assertThat(at(min(5), min(11), track("a-1")).sessionId).isEqualTo(s1.sessionId);
    assertThat(at(min(-10), min(11), track("a-1")).sessionId).isEqualTo(s1.sessionId);
    EnrichedEvent s2 = page("a-1", min(41));
    assertThat(s2.sessionNumber).isEqualTo(2);
    // Happened in the first session, arrives during the second: joins the first.
    EnrichedEvent lateForS1 = at(min(12), min(42), track("a-1"));
    assertThat(lateForS1.sessionId).isEqualTo(s1.sessionId);
    assertThat(lateForS1.sessionNumber).isEqualTo(1);
    // Hours older than anything remembered: a session of its own, position unknown.
    EnrichedEvent ancient = at(min(-300), min(62), track("a-1"));
    assertThat(ancient.sessionId).isNotIn(s1.sessionId, s2.sessionId);
    assertThat(ancient.sessionNumber).isZero();
    // ... and the visitor's current session is untouched by it.
    assertThat(page("a-1", min(70)).sessionId).isEqualTo(s2.sessionId);
  }

  private static String track(String visitor) {
    return "{\"type\":\"track\",\"event\":\"Product Added\",\"anonymousId\":\"" + visitor + "\",\"timestamp\":\"$TS\"}";
  }

  @Test
  void aTimestampInTheFutureCountsAsTheTimeOfReceipt() {
    EnrichedEvent now = page("a-1", min(0));
    EnrichedEvent fromTheFuture = at(Instant.parse("2031-01-01T00:00:00Z"), min(1), track("a-1"));
    EnrichedEvent next = page("a-1", min(2));
    assertThat(List.of(fromTheFuture.sessionId, next.sessionId)).containsOnly(now.sessionId);
  }

  @Test
  void idleVisitorsAreEvictedAndKeepTheirNumberWhenTheyReturn() {
    SessionCounts counts = new SessionCounts(1024);
    sessions = sessions(ZoneOffset.UTC, counts);
    page("a-1", min(0));
    assertThat(page("a-1", min(45)).sessionNumber).isEqualTo(2);
    for (int m = 46; m < 80; m++) {
      page("a-busy", min(m));
    }
    assertThat(sessions.liveVisitors()).isEqualTo(2);
    page("a-busy", min(82)); // a-1 idle for 37 min > timeout + late allowance
    assertThat(sessions.liveVisitors()).isEqualTo(1);
    EnrichedEvent back = page("a-1", min(200));
    assertThat(back.sessionNumber).isEqualTo(3);
    assertThat(counts.last("a-1")).isEqualTo(3);
  }

  @Test
  void liveStateIsBoundedEvenWhenEveryEventIsANewVisitor() {
    for (int i = 0; i < Sessions.MAX_LIVE + 500; i++) {
      page("bot-" + i, T0.plusMillis(i));
    }
    assertThat(sessions.liveVisitors()).isEqualTo(Sessions.MAX_LIVE);
  }

  @Test
  void sessionCountsForgetTheLeastRecentGenerationOnly() {
    SessionCounts counts = new SessionCounts(4);
    for (int i = 0; i < 4; i++) {
      counts.next("v" + i, 1);
    }
    counts.next("v0", 1); // v0 now 2, in the young generation
    for (int i = 4; i < 8; i++) {
      counts.next("v" + i, 1); // fills the young generation, v0-v3 go old
    }
    assertThat(counts.last("v0")).isEqualTo(2);
    assertThat(counts.last("v1")).isEqualTo(1);
    for (int i = 8; i < 12; i++) {
      counts.next("v" + i, 1);
    }
    assertThat(counts.last("v1")).isZero(); // two generations on: forgotten
    assertThat(counts.last("v11")).isEqualTo(1);
    counts.restore("v11", 7);
    counts.restore("v11", 3);
    assertThat(counts.next("v11", 1)).isEqualTo(8);
  }
  @Test
  void sessionIdsAreStableLabelsOfVisitorNumberAndStart() {
    String id = Sessions.sessionId("a-1", 1, 1_748_858_400_000L);
    assertThat(id).matches("[0-9a-f]{32}").isEqualTo(Sessions.sessionId("a-1", 1, 1_748_858_400_000L));
    assertThat(List.of(Sessions.sessionId("a-2", 1, 1_748_858_400_000L), Sessions.sessionId("a-1", 2, 1_748_858_400_000L),
        Sessions.sessionId("a-1", 1, 1_748_858_400_001L), Sessions.sessionId("a-1", 0, 1_748_858_400_000L)))
        .doesNotContain(id).doesNotHaveDuplicates();
    java.util.Set<String> many = new java.util.HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      many.add(Sessions.sessionId("anon-" + (i % 1000), 1 + i / 1000, 1_748_858_400_000L + i));
    }
    assertThat(many).hasSize(100_000);
  }
}
