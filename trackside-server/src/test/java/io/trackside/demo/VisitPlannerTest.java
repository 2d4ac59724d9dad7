package io.trackside.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The simulation's own promises, without a server: seeded, ordered, human-paced, arithmetically right. */
class VisitPlannerTest {
  private static final Instant START = Instant.parse("2026-11-02T10:00:00Z");

  @Test
  void theSameSeedPlansTheSameVisitsWithTheSameMessageIds() {
    assertThat(plan(42, 300)).isEqualTo(plan(42, 300));
    assertThat(plan(42, 50)).isNotEqualTo(plan(43, 50));
  }

  @Test
  void hitsAreInTimeOrderAndHumansNeverLookLikeThePaceRuleBots() {
    for (Visit visit : plan(5, 2000)) {
      List<Instant> times = visit.hits().stream().map(Hit::time).toList();
      assertThat(times).isSorted();
      if (visit.visitor().bot()) {
        continue;
      }
      // bots.behaviour-max-pages: more than 10 page views within 10 s flags a visitor as a bot.
      List<Instant> pages = visit.hits().stream().filter(h -> h.kind() == Hit.Kind.PAGE).map(Hit::time).toList();
      for (int i = 10; i < pages.size(); i++) {
        assertThat(Duration.between(pages.get(i - 10), pages.get(i))).isGreaterThan(Duration.ofSeconds(10));
      }
    }
  }

  @Test
  void anOrdersRevenueIsTheSumOfItsProductsAndCarriesItsCurrency() {
    int orders = 0;
    for (Visit visit : plan(9, 2000)) {
      for (Hit hit : visit.hits()) {
        if ("Order Completed".equals(hit.event())) {
          orders++;
          double sum = 0;
          for (JsonNode product : hit.data().get("products")) {
            sum += product.get("price").asDouble() * product.get("quantity").asInt();
          }
          assertThat(hit.data().get("revenue").asDouble()).isCloseTo(sum, org.assertj.core.data.Offset.offset(0.005));
          assertThat(hit.data().get("currency").asText()).isEqualTo("EUR");
          assertThat(hit.data().get("order_id").asText()).startsWith("ORD-");
        }
      }
    }
    // ~6 % of 2,000 visits order (measured: 269 orders in 4,345 demo visits); at least a few dozen.
    assertThat(orders).isGreaterThan(40);
  }

  @Test
  void aVisitThatLogsInCarriesTheUserIdFromTheIdentifyOn() {
    boolean seen = false;
    for (Visit visit : plan(11, 2000)) {
      boolean loggedIn = false;
      for (Hit hit : visit.hits()) {
        if (hit.kind() == Hit.Kind.IDENTIFY) {
          loggedIn = true;
          seen = true;
          assertThat(hit.userId()).isEqualTo(visit.visitor().customer().userId());
        }
        if (loggedIn) {
          assertThat(hit.userId()).isNotNull();
        }
      }
    }
    assertThat(seen).isTrue();
  }

  private static List<Visit> plan(long seed, int visits) {
    Random random = new Random(seed);
    Population population = new Population(random, 50);
    VisitPlanner planner = new VisitPlanner(random);
    List<Visit> planned = new ArrayList<>();
    Instant start = START;
    for (int i = 0; i < visits; i++) {
      Population.Pick pick = population.next(start, false);
      Visit visit = planner.plan(pick.visitor(), Acquisition.pick(random), start, pick.loggedIn(), pick.login());
      population.busy(visit);
      planned.add(visit);
      start = start.plusSeconds(30 + random.nextInt(600));
    }
    return planned;
  }
}
