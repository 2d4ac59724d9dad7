package io.trackside.warehouse;

import java.sql.SQLException;
import org.duckdb.DuckDBConnection;

/** Lets tests in other packages reach the warehouse's package-private test seams. */
public final class WarehouseTestAccess {

  private WarehouseTestAccess() {
  }

  /** Another connection to the warehouse's database, for tests that change it behind its back. */
  public static DuckDBConnection connection(DuckDbWarehouse warehouse) throws SQLException {
    return warehouse.duplicateConnection();
  }
}
