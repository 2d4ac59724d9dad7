package io.trackside.warehouse;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The shared {@link PersonDeletionContract} on DuckDB. */
class PersonDeletionTest extends PersonDeletionContract {

  @TempDir
  Path dir;

  @Override
  protected WarehouseFixture newFixture() {
    return WarehouseFixture.duckDb(dir.resolve("warehouse.duckdb"));
  }
}
