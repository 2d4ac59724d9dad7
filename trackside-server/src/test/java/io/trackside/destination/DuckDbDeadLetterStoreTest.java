package io.trackside.destination;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.warehouse.DuckDbWarehouse;
import io.trackside.warehouse.Warehouse;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The shared {@link DeadLetterStoreContract} on DuckDB. */
class DuckDbDeadLetterStoreTest extends DeadLetterStoreContract {

  @TempDir
  Path dir;

  @Override
  protected Warehouse openWarehouse() {
    return DuckDbWarehouse.open(dir.resolve("warehouse.duckdb"), new SimpleMeterRegistry());
  }
}
