package io.trackside.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trackside serve}: runs a node until SIGTERM/SIGINT, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run Trackside: collector, event log, workers, warehouse and API in one process.")
final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (default: ./trackside.yml; written with generated keys if missing)")
  Path config;

  @Option(names = "--data", paramLabel = "DIR", description = "data directory for the event log and the warehouse (default: ./data)")
  String data;

  @Option(names = "--host", paramLabel = "ADDRESS", description = "bind address (default: 0.0.0.0)")
  String host;

  @Option(names = "--port", paramLabel = "N", description = "HTTP port (default: 8080)")
  Integer port;

  @Option(names = "--write-key", paramLabel = "KEY", description = "define the default source with this write key")
  String writeKey;

  @Option(names = "--admin-token", paramLabel = "TOKEN", description = "bearer token for /api/ (at least 16 characters)")
  String adminToken;

  @Option(names = "--dashboard-password", paramLabel = "PASSWORD",
      description = "dashboard sign-in password (else dashboard.password-hash from the config)")
  String dashboardPassword;

  @Option(names = "--roles", paramLabel = "ROLES",
      description = "what this node does: all (default), or any of collect, process, deliver, dashboard")
  String roles;

  @Override
  public Integer call() throws Exception {
    Map<String, String> flags = new LinkedHashMap<>();
    putIfSet(flags, "data", data);
    putIfSet(flags, "server.host", host);
    putIfSet(flags, "server.port", port == null ? null : port.toString());
    putIfSet(flags, "write-key", writeKey);
    putIfSet(flags, "admin-token", adminToken);
    putIfSet(flags, "dashboard.password", dashboardPassword);
    putIfSet(flags, "roles", roles);
    ConfigLoader.Loaded loaded;
    try {
      loaded = ConfigLoader.load(config, System.getenv(), flags);
    } catch (ConfigException e) {
      LOG.error("cannot start: {}", e.getMessage());
      return 2;
    }
    loaded.notes().forEach(note -> LOG.info("{}", note));
    TracksideNode node;
    try {
      node = TracksideNode.start(loaded.config());
    } catch (StartupException e) {
      LOG.error("cannot start: {}", e.getMessage(), e.getCause());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.stop();
      stopped.countDown();
    }, "trackside-shutdown"));
    Banner.print(loaded.config(), node.port());
    stopped.await();
    return 0;
  }

  private static void putIfSet(Map<String, String> flags, String key, String value) {
    if (value != null) {
      flags.put(key, value);
    }
  }
}
