package io.trackside.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** A node that delivers but writes nothing learns of an erasure made through another node. */
class PostgresSuppressionsCatchUpTest {

  @Test
  void anErasureOnOneNodeReachesAnotherThatDoesNotWrite() throws Exception {
    try (PgTestDatabase db = PgTestDatabase.create()) {
      PostgresWarehouse deliverer = PostgresWarehouse.open(db.url(), new SimpleMeterRegistry(), 1000);
      PostgresWarehouse dashboard = PostgresWarehouse.open(db.url(), new SimpleMeterRegistry(), 1000);
      try {
        dashboard.deletePerson("user-42", null, "test");
        assertThat(deliverer.suppressions().contains("user-42")).as("not seen before catching up").isFalse();
        deliverer.catchUpSuppressions();
        assertThat(deliverer.suppressions().contains("user-42")).isTrue();
      } finally {
        deliverer.close();
        dashboard.close();
      }
    }
  }
}
