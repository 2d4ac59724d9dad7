package io.trackside.destination;

import static io.trackside.destination.DeliveryFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.cluster.PartitionLeases;
import io.trackside.log.KafkaBroker;
import io.trackside.log.KafkaEventLog;
import io.trackside.log.KafkaLogConfig;
import io.trackside.warehouse.PgTestDatabase;
import io.trackside.warehouse.PostgresWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deliveries of two nodes on one enriched Kafka topic, leased through a real PostgreSQL: each
 * partition is delivered by one node, a node that stops or loses its lease connection hands its
 * partitions to the other with no event lost, and a pause through either node holds both.
 */
class LeasedDeliveryTest {
  private static final Set<String> ALL = Set.of("analytics", "advertising");
  private static final PartitionLeases.Config FAST = new PartitionLeases.Config(Duration.ofMillis(200),
      Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofSeconds(1));
  private static final AtomicInteger topics = new AtomicInteger();

  @TempDir
  static Path brokerDir;
  static KafkaBroker broker;

  private PgTestDatabase db;
  private PostgresWarehouse warehouse;
  private KafkaLogConfig topic;
  private KafkaEventLog writer;
  private WebhookStandIn hook;
  private final List<Node> nodes = new ArrayList<>();

  /** One delivering node: its own enriched log client, dead-letter connection and lease connections. */
  private final class Node implements AutoCloseable {
    final String id;
    final KafkaEventLog enriched;
    final DeadLetterStore deadLetters;
    final DeliveryService service;
    /** Backends of every connection this node opened to PostgreSQL (leases and pauses). */
    final List<Integer> backends = new CopyOnWriteArrayList<>();
    /** While set, PostgreSQL cannot be reached from this node. */
    volatile boolean cutOff;
    boolean closed;

    Node(String id) throws Exception {
      this(id, "1s");
    }

    Node(String id, String requestTimeout) throws Exception {
      this.id = id;
      enriched = KafkaEventLog.open(topic, new SimpleMeterRegistry(), "test.enriched");
      deadLetters = new DeadLetterStore(warehouse.newConnection());
      List<DestinationConfig> configs = Destinations.parse(DeliveryFixture.YAML.readTree("""
          - id: hook
            type: webhook
            url: %s
            secret: s3cret
            linger: 20ms
            max-events: 25
            timeout: %s
          """.formatted(hook.url(), requestTimeout)));
      service = DeliveryService.leased(configs, enriched, deadLetters,
          new DeliveryService.Leasing(id, this::connect, FAST), new SimpleMeterRegistry(), e -> false);
      service.start();
    }

    private Connection connect() throws java.sql.SQLException {
      if (cutOff) {
        throw new java.sql.SQLException("test: " + id + " is cut off from PostgreSQL");
      }
      Connection c = DriverManager.getConnection(db.url());
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        backends.add(rs.getInt(1));
      }
      return c;
    }

    @SuppressWarnings("unchecked")
    Set<Integer> partitions() throws Exception {
      return new TreeSet<>((Set<Integer>) state().get("partitions"));
    }

    Map<String, Object> state() throws Exception {
      return service.describe("hook").orElseThrow();
    }

    /** As PostgreSQL sees a node whose network dropped: every session of it ends at once, none reopens. */
    void loseConnections() throws Exception {
      cutOff = true;
      try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
        for (int pid : backends) {
          s.setInt(1, pid);
          s.execute();
        }
      }
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        service.stop(Duration.ofSeconds(5));
        deadLetters.close();
        enriched.close();
      }
    }
  }

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.start(brokerDir);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @BeforeEach
  void open() throws Exception {
    db = PgTestDatabase.create();
    warehouse = PostgresWarehouse.open(db.url(), new SimpleMeterRegistry(), 1000);
    topic = KafkaLogConfig.defaults(broker.bootstrapServers()).withTopic("enriched-" + topics.incrementAndGet())
        .withPartitions(4);
    writer = KafkaEventLog.open(topic, new SimpleMeterRegistry(), "test.writer");
    hook = new WebhookStandIn(0, "s3cret");
  }

  @AfterEach
  void close() throws Exception {
    nodes.forEach(Node::close);
    hook.close();
    writer.close();
    warehouse.close();
    db.close();
  }

  private Node node(String id) throws Exception {
    Node n = new Node(id);
    nodes.add(n);
    return n;
  }

  private List<String> append(int n) throws Exception {
    return DeliveryFixture.appendTo(writer, n, "Order Completed", ALL, true, "{\"n\":$i}", Instant.now());
  }

  private void awaitShared(Node a, Node b) throws InterruptedException {
    await("the four partitions shared by both nodes", Duration.ofSeconds(20), () -> {
      try {
        Set<Integer> pa = a.partitions();
        Set<Integer> pb = b.partitions();
        Set<Integer> union = new TreeSet<>(pa);
        union.addAll(pb);
        return !pa.isEmpty() && !pb.isEmpty() && union.equals(Set.of(0, 1, 2, 3)) && pa.size() + pb.size() == 4;
      } catch (Exception e) {
        return false;
      }
    });
  }

  @Test
  void eachPartitionGoesThroughOneNodeAndMovesWhenItsNodeStopsOrLosesItsLeases() throws Exception {
    Node a = node("node-a");
    Node b = node("node-b");
    awaitShared(a, b);
    assertThat(a.partitions()).as("disjoint").doesNotContainAnyElementsOf(b.partitions());

    Set<String> sent = new HashSet<>(append(400));
    await("the first 400 delivered", Duration.ofSeconds(30), () -> hook.deliveries.keySet().containsAll(sent));

    // A loses PostgreSQL (as if its network dropped, or it died): B takes its partitions.
    int repeatsBefore = (int) hook.duplicates();
    a.loseConnections();
    await("B owns every partition", Duration.ofSeconds(20), () -> {
      try {
        return b.partitions().size() == 4;
      } catch (Exception e) {
        return false;
      }
    });
    assertThat(a.partitions()).as("A stopped delivering when it lost its leases").isEmpty();
    sent.addAll(append(400));
    await("the next 400 delivered", Duration.ofSeconds(30), () -> hook.deliveries.keySet().containsAll(sent));
    a.cutOff = false; // the network is back: A rejoins and gets its share again
    awaitShared(a, b);
    sent.addAll(append(400));
    await("400 more after A is back", Duration.ofSeconds(30), () -> hook.deliveries.keySet().containsAll(sent));

    // A stops: B takes everything at once and delivers what follows.
    a.close();
    await("B owns every partition after A stopped", Duration.ofSeconds(20), () -> {
      try {
        return b.partitions().size() == 4;
      } catch (Exception e) {
        return false;
      }
    });
    sent.addAll(append(400));
    await("all 1,600 delivered", Duration.ofSeconds(30), () -> hook.deliveries.keySet().containsAll(sent));
    assertThat(hook.deliveries.keySet()).isEqualTo(sent);
    // A handover lets the requests in flight finish and commits them, so repeats are rare: only a
    // batch A was sending when its lease connection vanished (B may start there before A commits).
    assertThat(hook.duplicates() - repeatsBefore).as("events delivered twice").isLessThanOrEqualTo(400);
    assertThat(repeatsBefore).as("no repeat without a failure").isZero();
    assertThat(hook.badSignatures.get()).isZero();
    System.out.printf("LeasedDeliveryTest: %d events over two nodes, %d delivered twice%n", sent.size(),
        hook.duplicates());
  }

  @Test
  void aKafkaOutageWhileABatchIsInFlightHoldsTheCommitBackAndDeliveryCarriesOnAfter() throws Exception {
    Node a = new Node("node-a", "60s");
    nodes.add(a);
    await("A owns every partition", Duration.ofSeconds(20), () -> {
      try {
        return a.partitions().size() == 4;
      } catch (Exception e) {
        return false;
      }
    });
    java.util.concurrent.CountDownLatch brokerDown = new java.util.concurrent.CountDownLatch(1);
    hook.behaviour = (n, batch) -> {
      try {
        brokerDown.await(60, java.util.concurrent.TimeUnit.SECONDS); // the answer comes once Kafka is gone
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return WebhookStandIn.Reply.ok();
    };
    Set<String> sent = new HashSet<>(append(40));
    await("a request in flight", Duration.ofSeconds(20), () -> hook.requests.get() > 0);
    broker.stop();
    try {
      brokerDown.countDown();
      await("the batch in flight answered", Duration.ofSeconds(20), () -> !hook.deliveries.isEmpty());
      Thread.sleep(13_000); // longer than a commit waits (10 s): it fails, and is tried again
    } finally {
      broker.startAgain();
    }
    await("the writer sees Kafka again", Duration.ofSeconds(60), () -> writer.problem() == null);
    sent.addAll(append(40));
    await("delivery carried on after the outage", Duration.ofSeconds(60),
        () -> hook.deliveries.keySet().containsAll(sent));
    assertThat(a.state().get("state")).isEqualTo("ok");
    assertThat(hook.duplicates()).as("the settled batch was committed late, not sent again").isZero();
  }

  @Test
  void deadLettersOfEveryNodeAreReplayedThroughAnyOfThem() throws Exception {
    Node a = node("node-a");
    Node b = node("node-b");
    awaitShared(a, b);
    hook.behaviour = (n, batch) -> WebhookStandIn.Reply.status(400); // refused: dead letters on both nodes
    List<String> refused = append(60);
    await("60 dead letters in PostgreSQL", Duration.ofSeconds(30), () -> {
      try {
        return ((Map<?, ?>) b.state().get("deadLettersPending")).values().stream()
            .mapToLong(v -> ((Number) v).longValue()).sum() == 60;
      } catch (Exception e) {
        return false;
      }
    });
    assertThat(hook.deliveries).isEmpty();

    hook.behaviour = (n, batch) -> WebhookStandIn.Reply.ok(); // the cause is fixed
    Map<String, Object> job = b.service.replay("hook", null, null);
    await("the replay through B sends A's dead letters too", Duration.ofSeconds(30),
        () -> "done".equals(b.service.replayStatus("hook", (String) job.get("id")).orElseThrow().get("state")));
    assertThat(hook.deliveries.keySet()).containsExactlyInAnyOrderElementsOf(refused);
    assertThat(((Map<?, ?>) a.state().get("deadLettersPending"))).isEmpty();
  }

  @Test
  void aPauseThroughOneNodeHoldsEveryNodeAndSurvivesARestart() throws Exception {
    Node a = node("node-a");
    Node b = node("node-b");
    awaitShared(a, b);

    a.service.pause("hook");
    await("B sees the pause", Duration.ofSeconds(5), () -> {
      try {
        return Boolean.TRUE.equals(b.state().get("paused")) && "paused".equals(b.state().get("state"));
      } catch (Exception e) {
        return false;
      }
    });
    List<String> held = append(200);
    Thread.sleep(2_000);
    assertThat(hook.deliveries).as("nothing sent by either node while paused").isEmpty();
    assertThat(((Number) a.state().get("lag")).longValue()).isEqualTo(200);

    // The pause is a row in PostgreSQL: a node started now is paused too.
    b.close();
    Node c = node("node-c");
    assertThat(c.state().get("paused")).isEqualTo(true);

    c.service.resume("hook");
    await("everything delivered after the resume through another node", Duration.ofSeconds(30),
        () -> hook.deliveries.keySet().containsAll(held));
    assertThat(a.state().get("paused")).isEqualTo(false);
    assertThat(hook.duplicates()).isZero();
  }
}
