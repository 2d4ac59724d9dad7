package io.trackside.warehouse;

import java.sql.SQLException;

/** The shared {@link IdentitiesContract} on PostgreSQL. */
class PostgresWarehouseIdentitiesTest extends IdentitiesContract {

  @Override
  protected WarehouseFixture newFixture() throws SQLException {
    return WarehouseFixture.postgres();
  }
}
