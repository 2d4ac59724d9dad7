package io.trackside.warehouse;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * How a contract test opens a warehouse of one kind, again and again on the same database (to
 * test a reopen), and reaches its test seams.
 */
abstract class WarehouseFixture implements AutoCloseable {

  abstract Warehouse open(MeterRegistry registry, int recentIds);

  /** Fails a write half-way: called after each event row the write has put into its statement. */
  abstract void rowHook(Warehouse warehouse, WriteSession.RowHook hook);

  /**
   * What a quarantine payload holding U+0000 reads back as: DuckDB keeps it, PostgreSQL text
   * cannot hold it and gets U+FFFD (see {@link PgCopyText}).
   */
  abstract String storedNul();

  @Override
  public void close() throws SQLException {
  }

  static WarehouseFixture duckDb(Path file) {
    return new WarehouseFixture() {
      @Override
      Warehouse open(MeterRegistry registry, int recentIds) {
        return DuckDbWarehouse.open(file, registry, recentIds);
      }

      @Override
      void rowHook(Warehouse warehouse, WriteSession.RowHook hook) {
        ((DuckDbWarehouse) warehouse).rowHookForTests = hook;
      }

      @Override
      String storedNul() {
        return "\u0000";
      }
    };
  }

  /** A fresh PostgreSQL database, dropped on close. */
  static WarehouseFixture postgres() throws SQLException {
    PgTestDatabase db = PgTestDatabase.create();
    return new WarehouseFixture() {
      @Override
      Warehouse open(MeterRegistry registry, int recentIds) {
        return PostgresWarehouse.open(db.url(), registry, recentIds);
      }

      @Override
      void rowHook(Warehouse warehouse, WriteSession.RowHook hook) {
        ((PostgresWarehouse) warehouse).rowHookForTests = hook;
      }

      @Override
      String storedNul() {
        return "\uFFFD";
      }

      @Override
      public void close() throws SQLException {
        db.close();
      }
    };
  }
}
