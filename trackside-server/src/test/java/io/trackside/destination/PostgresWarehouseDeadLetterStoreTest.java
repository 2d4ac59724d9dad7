package io.trackside.destination;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trackside.warehouse.PgTestDatabase;
import io.trackside.warehouse.PostgresWarehouse;
import io.trackside.warehouse.Warehouse;
import org.junit.jupiter.api.AfterEach;

/** The shared {@link DeadLetterStoreContract} on PostgreSQL. */
class PostgresWarehouseDeadLetterStoreTest extends DeadLetterStoreContract {

  private PgTestDatabase db;

  @Override
  protected Warehouse openWarehouse() throws Exception {
    db = PgTestDatabase.create();
    return PostgresWarehouse.open(db.url(), new SimpleMeterRegistry(), 1000);
  }

  @AfterEach
  void dropDatabase() throws Exception {
    warehouse.close(); // the contract closes it again, harmlessly; the database must lose its sessions first
    db.close();
  }
}
