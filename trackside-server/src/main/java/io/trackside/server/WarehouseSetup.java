package io.trackside.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.trackside.warehouse.DuckDbWarehouse;
import io.trackside.warehouse.PostgresWarehouse;
import io.trackside.warehouse.Warehouse;
import io.trackside.warehouse.WarehouseMirror;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's warehouse: the system of record the pipeline writes to ({@code warehouse}), and the
 * DuckDB file the dashboard queries ({@code analytics}). With the default DuckDB warehouse the two
 * are one file. With {@code warehouse.type: postgresql} the system of record is the shared
 * PostgreSQL, and a node with the dashboard role keeps a DuckDB copy of it
 * ({@code data/mirror.duckdb}, refreshed by a {@link WarehouseMirror}): DuckDB answers the
 * dashboard's analytical queries in a fraction of the time a row store needs.
 */
final class WarehouseSetup implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WarehouseSetup.class);
  static final String DUCKDB_FILE = "warehouse.duckdb";
  static final String MIRROR_FILE = "mirror.duckdb";

  private final Warehouse warehouse;
  private final DuckDbWarehouse analytics;
  private final WarehouseMirror mirror;

  private WarehouseSetup(Warehouse warehouse, DuckDbWarehouse analytics, WarehouseMirror mirror) {
    this.warehouse = warehouse;
    this.analytics = analytics;
    this.mirror = mirror;
  }

  static WarehouseSetup open(Config config, MeterRegistry registry) throws StartupException {
    PostgresWarehouseConfig pg = config.postgresWarehouse();
    boolean dashboard = config.roles().has(NodeRoles.Role.DASHBOARD);
    if (pg == null) {
      DuckDbWarehouse duck = openDuckDb(config, config.dataDir().resolve(DUCKDB_FILE), registry, config.dedupeWindow());
      return new WarehouseSetup(duck, dashboard ? duck : null, null);
    }
    PostgresWarehouse shared;
    try {
      shared = PostgresWarehouse.open(pg.url(), registry, config.dedupeWindow());
    } catch (Exception e) {
      throw new StartupException("cannot open the PostgreSQL warehouse at " + pg.safeUrl() + ": " + e.getMessage()
          + " — check warehouse.postgresql.url and that the database exists and accepts this user", e);
    }
    LOG.info("Warehouse: PostgreSQL at {}", pg.safeUrl());
    if (!dashboard) {
      return new WarehouseSetup(shared, null, null);
    }
    Path copy = config.dataDir().resolve(MIRROR_FILE);
    DuckDbWarehouse analytics = null;
    try {
      // Nothing is written to the copy but what the mirror copies: no dedupe window to hold in memory.
      analytics = openDuckDb(config, copy, registry, 1);
      WarehouseMirror mirror = WarehouseMirror.start(pg.url(), analytics, pg.mirrorInterval(), registry);
      LOG.info("Dashboard: queries a DuckDB copy of PostgreSQL in {}, refreshed every {}", copy.toAbsolutePath(),
          pg.mirrorInterval());
      return new WarehouseSetup(shared, analytics, mirror);
    } catch (Exception e) {
      if (analytics != null) {
        analytics.close();
      }
      shared.close();
      throw new StartupException("cannot prepare the dashboard's copy of PostgreSQL in " + copy.toAbsolutePath()
          + ": " + e.getMessage(), e);
    }
  }

  private static DuckDbWarehouse openDuckDb(Config config, Path file, MeterRegistry registry, int dedupeWindow)
      throws StartupException {
    try {
      return DuckDbWarehouse.open(file, registry, dedupeWindow, config.warehouseMemoryLimit());
    } catch (Exception e) {
      throw new StartupException("cannot open the DuckDB file " + file.toAbsolutePath() + ": " + e.getMessage()
          + " — is another Trackside using this data directory?", e);
    }
  }

  /** The system of record: the pipeline writes here, erasures and quarantine replays act here. */
  Warehouse warehouse() {
    return warehouse;
  }

  /** What the dashboard queries; null on a node without the dashboard role. */
  DuckDbWarehouse analytics() {
    return analytics;
  }

  /** The copy's refresher on a PostgreSQL node with the dashboard role; else null. */
  WarehouseMirror mirror() {
    return mirror;
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    String problem = warehouse.check();
    if (problem != null) {
      problems.add("warehouse: " + problem);
    }
    if (mirror != null) {
      String stale = mirror.check();
      if (stale != null) {
        problems.add("dashboard copy: " + stale);
      }
    }
    return problems;
  }

  @Override
  public void close() {
    if (mirror != null) {
      mirror.close();
    }
    if (analytics != null && analytics != warehouse) {
      analytics.close();
    }
    warehouse.close();
  }
}
