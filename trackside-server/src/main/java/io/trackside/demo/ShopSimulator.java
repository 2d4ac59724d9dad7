package io.trackside.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A simulated outdoor shop driving a running Trackside through its real HTTP APIs: first a
 * backfill of the last days (events with past timestamps, so every chart has a shape), then a
 * live trickle of visits happening now (so the live view moves).
 *
 * <p>Deterministic: the same seed and the same start time send the same events with the same
 * message ids (both phases draw, in turn, from one seeded stream).
 */
public final class ShopSimulator {

  /**
   * @param visitsPerDay       an average day's visits in the backfill (weekends and the trend vary it)
   * @param liveVisitsPerMinute visits started per minute by the trickle (each lasts a few minutes)
   */
  public record Settings(long seed, int days, int visitsPerDay, double liveVisitsPerMinute) {
  }

  /** What was sent. */
  public record Counts(long visits, long events, long orders, long bots) {
    Counts plus(Visit visit, int sentHits) {
      long ordered = visit.hits().stream().filter(h -> "Order Completed".equals(h.event())).count();
      return new Counts(visits + 1, events + sentHits, orders + ordered, bots + (visit.visitor().bot() ? 1 : 0));
    }
  }

  /** Share of a day's visits by hour (UTC; most visitors are in Europe): quiet nights, a lunch and an evening peak. */
  private static final int[] HOURS = {2, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 8, 9, 8, 7, 7, 7, 8, 10, 11, 10, 8, 5, 3};
  private static final int HOUR_TOTAL = java.util.Arrays.stream(HOURS).sum();
  private static final int MAX_SNIPPET_BATCH = 50; // as trackside.js sends at most

  private final ShopClient client;
  private final Settings settings;
  private final Clock clock;
  // One stream and one population for both phases: the customers of the backfill come back live.
  private final Random random;
  private final Population population;
  private final VisitPlanner planner;

  public ShopSimulator(ShopClient client, Settings settings, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.clock = clock;
    this.random = new Random(settings.seed());
    this.population = new Population(random, Math.max(10, settings.visitsPerDay() / 2));
    this.planner = new VisitPlanner(random);
  }

  /** Sends the last {@code days} days, day by day, oldest first; today up to now. */
  public Counts backfill(Consumer<String> progress) throws IOException, InterruptedException {
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Counts counts = new Counts(0, 0, 0, 0);
    for (int back = settings.days() - 1; back >= 0; back--) {
      LocalDate day = today.minusDays(back);
      Instant dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant();
      List<Instant> starts = new ArrayList<>();
      int visits = visitsOn(day, settings.days() - 1 - back);
      for (int i = 0; i < visits; i++) {
        Instant start = dayStart.plus(hourOfDay(), ChronoUnit.HOURS).plusSeconds(random.nextInt(3600));
        if (start.isBefore(now.minusSeconds(60))) {
          starts.add(start);
        }
      }
      starts.sort(Comparator.naturalOrder());
      List<Visit> planned = new ArrayList<>();
      for (Instant start : starts) {
        Population.Pick pick = population.next(start, false);
        Visit visit = truncated(planner.plan(pick.visitor(), Acquisition.pick(random), start, pick.loggedIn(), pick.login()), now);
        population.busy(visit);
        planned.add(visit);
      }
      counts = sendPast(planned, counts);
      progress.accept(String.format(Locale.ROOT, "  backfill %s  %3d visits  — %,d events sent so far",
          day, planned.size(), counts.events()));
    }
    return counts;
  }

  /**
   * Visits happening now, each hit sent when it is due (one request per hit, as browsers send);
   * runs until {@code duration} has passed (null: until interrupted).
   */
  public Counts trickle(Duration duration, Consumer<String> progress) throws IOException, InterruptedException {
    record Due(Instant time, Visit visit, int index) {
    }
    PriorityQueue<Due> due = new PriorityQueue<>(Comparator.comparing(Due::time));
    Instant started = clock.instant();
    Instant end = duration == null ? Instant.MAX : started.plus(duration);
    Instant nextVisit = started;
    Instant nextReport = started.plusSeconds(30);
    Counts counts = new Counts(0, 0, 0, 0);
    double meanGapMillis = 60_000 / settings.liveVisitsPerMinute();
    while (true) {
      Instant now = clock.instant();
      if (!now.isBefore(end)) {
        return counts;
      }
      if (!now.isBefore(nextVisit)) {
        Population.Pick pick = population.next(now, true);
        Visit visit = planner.plan(pick.visitor(), Acquisition.pick(random), now, pick.loggedIn(), pick.login());
        population.busy(visit);
        for (int i = 0; i < visit.hits().size(); i++) {
          due.add(new Due(visit.hits().get(i).time(), visit, i));
        }
        counts = new Counts(counts.visits() + 1, counts.events(), counts.orders(),
            counts.bots() + (visit.visitor().bot() ? 1 : 0));
        nextVisit = now.plusMillis((long) (-Math.log(1 - random.nextDouble()) * meanGapMillis));
      }
      while (!due.isEmpty() && !due.peek().time().isAfter(now)) {
        Due hit = due.poll();
        sendLive(hit.visit(), hit.index());
        counts = new Counts(counts.visits(), counts.events() + 1,
            counts.orders() + ("Order Completed".equals(hit.visit().hits().get(hit.index()).event()) ? 1 : 0), counts.bots());
      }
      if (!now.isBefore(nextReport)) {
        progress.accept(String.format(Locale.ROOT, "  live: %,d visits started, %,d events sent, %,d orders, %d visits in progress",
            counts.visits(), counts.events(), counts.orders(), due.stream().map(Due::visit).distinct().count()));
        nextReport = now.plusSeconds(30);
      }
      Instant wake = nextVisit;
      if (!due.isEmpty() && due.peek().time().isBefore(wake)) {
        wake = due.peek().time();
      }
      long sleep = Math.min(Math.max(Duration.between(clock.instant(), wake).toMillis(), 1), 200);
      Thread.sleep(sleep);
    }
  }

  /**
   * One day of past visits. Server-side visits go in time-ordered batches of up to 500 events;
   * each snippet visit is one beacon. gtag.js sends no client time, so gtag visitors' past visits
   * come through the Segment API (as a server-side import would); their live visits are hits.
   */
  private Counts sendPast(List<Visit> visits, Counts counts) throws IOException, InterruptedException {
    record Timed(Instant time, ObjectNode event) {
    }
    List<Timed> server = new ArrayList<>();
    for (Visit visit : visits) {
      if (visit.visitor().capture() == Visitor.Capture.SNIPPET) {
        List<ObjectNode> events = visit.hits().stream().map(h -> Wire.snippetEvent(visit.visitor(), h)).toList();
        for (int from = 0; from < events.size(); from += MAX_SNIPPET_BATCH) {
          client.snippet(visit.visitor(), events.subList(from, Math.min(events.size(), from + MAX_SNIPPET_BATCH)));
        }
      } else {
        visit.hits().forEach(h -> server.add(new Timed(h.time(), Wire.segmentEvent(visit.visitor(), h))));
      }
      counts = counts.plus(visit, visit.hits().size());
    }
    server.sort(Comparator.comparing(Timed::time));
    for (int from = 0; from < server.size(); from += 500) {
      client.segmentBatch(server.subList(from, Math.min(server.size(), from + 500)).stream().map(Timed::event).toList());
    }
    return counts;
  }

  private void sendLive(Visit visit, int index) throws IOException, InterruptedException {
    Visitor visitor = visit.visitor();
    Hit hit = visit.hits().get(index);
    switch (visitor.capture()) {
      case SEGMENT -> client.segmentBatch(List.of(Wire.segmentEvent(visitor, hit)));
      case SNIPPET -> client.snippet(visitor, List.of(Wire.snippetEvent(visitor, hit)));
      case GTAG -> {
        // _p: gtag.js's page-load id, new with each page view; _s counts the hits of that page load.
        int pageIndex = index;
        while (visit.hits().get(pageIndex).kind() != Hit.Kind.PAGE) {
          pageIndex--;
        }
        long pageLoad = Math.abs(visit.hits().get(pageIndex).messageId().hashCode()) + 1_000_000_000L;
        client.gtag(visitor, Wire.gtagQuery(client.measurementId(), visitor, visit, hit, pageLoad, index - pageIndex + 1));
      }
      default -> throw new IllegalStateException();
    }
  }

  /** Visits on a day: the average, more at weekends, a slow upward trend, and day-to-day noise. */
  private int visitsOn(LocalDate day, int dayIndex) {
    double weekday = switch (day.getDayOfWeek()) {
      case SATURDAY -> 1.2;
      case SUNDAY -> 1.3;
      case MONDAY -> 0.95;
      default -> 0.9;
    };
    double trend = 0.8 + 0.4 * dayIndex / Math.max(1, settings.days() - 1);
    double noise = 0.85 + 0.3 * random.nextDouble();
    return (int) Math.round(settings.visitsPerDay() * weekday * trend * noise);
  }

  private int hourOfDay() {
    int pick = random.nextInt(HOUR_TOTAL);
    for (int hour = 0; hour < HOURS.length; hour++) {
      pick -= HOURS[hour];
      if (pick < 0) {
        return hour;
      }
    }
    return 23;
  }

  /** Today's visits that would go on past now end now: the rest has not happened yet. */
  private static Visit truncated(Visit visit, Instant now) {
    List<Hit> happened = visit.hits().stream().filter(h -> h.time().isBefore(now)).toList();
    return happened.size() == visit.hits().size() ? visit : new Visit(visit.visitor(), visit.acquisition(), happened);
  }
}
