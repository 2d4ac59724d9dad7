package io.trackside.server;

import io.trackside.pipeline.ActiveTrackingPlan;
import io.trackside.pipeline.DailySalts;
import io.trackside.pipeline.GeoDatabaseException;
import io.trackside.pipeline.GeoDatabases;
import io.trackside.pipeline.InvalidTrackingPlanException;
import io.trackside.pipeline.Pipeline;
import io.trackside.pipeline.PipelineConfig;
import io.trackside.pipeline.StandardPipeline;
import io.trackside.pipeline.StepTimings;
import io.trackside.warehouse.Warehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The configured pipeline and whatever it holds open (databases, analyzers), built the same way
 * for the server and for the pipeline benchmark.
 */
public final class PipelineSetup implements AutoCloseable {

  private final StandardPipeline factory;
  private final GeoDatabases geo;

  private PipelineSetup(StandardPipeline factory, GeoDatabases geo) {
    this.factory = factory;
    this.geo = geo;
  }

  /**
   * @param sharedWarehouse the PostgreSQL warehouse many nodes share, or null (DuckDB)
   * @throws GeoDatabaseException when a configured IP database cannot be opened (the message names the setting)
   */
  static PipelineSetup create(PipelineConfig config, Path dataDir, PostgresWarehouseConfig sharedWarehouse,
                              Warehouse warehouse, StepTimings timings, ActiveTrackingPlan trackingPlan)
      throws GeoDatabaseException {
    DailySalts salts = openSalts(config, dataDir.resolve("salts"), sharedWarehouse);
    GeoDatabases geo = GeoDatabases.open(config.geo());
    return new PipelineSetup(new StandardPipeline(config, timings, trackingPlan, salts, warehouse, geo), geo);
  }

  /**
   * The cookieless salts live beside the warehouse, so a restart on the same day keeps the ids. A
   * shared warehouse means several processing nodes, and a visitor whose partition moves between
   * them must keep its id: they share the keys too, and a node's own keys from before are deleted.
   */
  private static DailySalts openSalts(PipelineConfig config, Path saltDir, PostgresWarehouseConfig shared) {
    if (shared == null) {
      return DailySalts.open(saltDir, config.timeZone(), Clock.systemUTC());
    }
    DailySalts.deleteFiles(saltDir);
    return DailySalts.openShared(shared.url(), config.timeZone(), Clock.systemUTC());
  }

  /**
   * For tools such as the benchmark: the pipeline as {@code trackside serve --config FILE} would
   * build it (the file's settings, overridden by TRACKSIDE_* variables; written with defaults if
   * missing).
   */
  public static PipelineSetup fromConfigFile(Path configFile, Path dataDir, Warehouse warehouse,
                                             StepTimings timings) throws ConfigException {
    Config config = ConfigLoader.load(configFile, System.getenv(), Map.of()).config();
    try {
      return create(config.pipeline(), dataDir, config.postgresWarehouse(), warehouse, timings,
          ActiveTrackingPlan.load(config.pipeline().trackingPlan()));
    } catch (InvalidTrackingPlanException | GeoDatabaseException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  public Pipeline.Factory factory() {
    return factory;
  }

  /** What is on and off (geo, hosting networks) and how to turn it on, for the start-up log. */
  public List<String> describe() {
    return geo.describe();
  }

  /** After the workers have stopped: they read the IP databases until then. */
  @Override
  public void close() {
    geo.close();
  }
}
