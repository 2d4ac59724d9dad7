package io.trackside.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka broker for tests: the {@code kafka_2.13} artifact on the test classpath, run in KRaft
 * mode (broker and controller in one) in a child JVM, on free loopback ports, with its data in a
 * directory the test owns. A child JVM, not in-process: stopping it is a real outage (its sockets
 * close, its threads are gone) and starting it again recovers from the same directory.
 *
 * <p>One per test class: starting takes a few seconds. Its output goes to {@code broker.log} in the
 * directory, which {@link #start} quotes when the broker does not come up.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private volatile Process process;

  private KafkaBroker(Path dir, int port, int controllerPort) {
    this.dir = dir;
    this.port = port;
    this.controllerPort = controllerPort;
    // A test JVM that dies without @AfterAll (killed, timed out) must not leave a broker behind.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Process running = process;
      if (running != null) {
        running.destroyForcibly();
      }
    }, "kafka-test-broker-reaper"));
  }

  /** Formats a new cluster in {@code dir} and starts its broker; returns once it answers clients. */
  public static KafkaBroker start(Path dir) {
    try {
      Files.createDirectories(dir);
      KafkaBroker broker = new KafkaBroker(dir, freePort(), freePort());
      broker.writeProperties();
      broker.format();
      broker.startAgain();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  private Path properties() {
    return dir.resolve("server.properties");
  }

  private void writeProperties() throws IOException {
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("log.dirs", dir.resolve("data").toAbsolutePath().toString());
    // One broker: every internal topic has one replica. One offsets partition instead of 50
    // makes the group coordinator ready in a moment.
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("auto.create.topics.enable", "false");
    // The machine has two cores for everything: few threads.
    props.put("num.network.threads", "2");
    props.put("num.io.threads", "2");
    props.put("num.recovery.threads.per.data.dir", "1");
    props.put("background.threads", "2");
    try (var out = Files.newBufferedWriter(properties())) {
      props.store(out, "test broker");
    }
  }

  private void format() throws IOException {
    Process format = java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
        "-c", properties().toString(), "--ignore-formatted");
    try {
      if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
        format.destroyForcibly();
        throw new IllegalStateException("formatting the test broker's storage failed:\n" + logTail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts the broker on its directory and ports (after {@link #stop}), waiting until it answers. */
  public void startAgain() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("broker already running");
    }
    try {
      process = java("kafka.Kafka", properties().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    waitForPort(deadline);
    waitForBroker(deadline);
  }

  private Process java(String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        // logback.xml of trackside-server reads its root level from this: the broker is quiet.
        "-DTRACKSIDE_LOG_LEVEL=WARN",
        "-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()))
        .start();
  }

  private void waitForPort(long deadline) {
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the test broker exited with " + process.exitValue() + ":\n" + logTail());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        sleep(100);
      }
    }
    stop();
    throw new IllegalStateException("the test broker did not open port " + port + " within " + START_TIMEOUT + ":\n"
        + logTail());
  }

  /** The port opens before the broker has registered with its controller; clients need the latter. */
  private void waitForBroker(long deadline) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000);
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        try {
          if (!admin.describeCluster().nodes().get(4, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception notYet) {
          if (notYet instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(notYet);
          }
        }
        sleep(100);
      }
    }
    stop();
    throw new IllegalStateException("the test broker did not register within " + START_TIMEOUT + ":\n" + logTail());
  }

  /** Stops the broker (a clean shutdown, as an operator's restart would be); its data stays. */
  public void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  @Override
  public void close() {
    stop();
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("broker.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no broker.log: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
