package io.trackside.destination;

import static org.assertj.core.api.Assertions.assertThat;

import io.trackside.warehouse.DeletionResult;
import io.trackside.warehouse.Warehouse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dead letters' SQL, on every kind of warehouse: it goes through {@link Warehouse#newConnection}. */
abstract class DeadLetterStoreContract {

  protected Warehouse warehouse;
  private DeadLetterStore store;

  protected abstract Warehouse openWarehouse() throws Exception;

  @BeforeEach
  void open() throws Exception {
    warehouse = openWarehouse();
    store = new DeadLetterStore(warehouse.newConnection());
  }

  @AfterEach
  void close() throws Exception {
    store.close();
    warehouse.close();
  }

  private static DeadLetter letter(String destination, String messageId, String userId, String reason, Integer status) {
    return new DeadLetter(destination, "e-" + messageId, messageId, userId, "anon-" + messageId, 2, 40,
        Instant.parse("2026-11-28T10:00:00.123456Z"), Instant.parse("2026-11-28T10:05:00Z"), reason, "detail\tof "
        + messageId, status, "POST /collect", "x".repeat(DeadLetterStore.MAX_TEXT + 10), "{\"event\":\"" + messageId + "\"}");
  }

  @Test
  void storesPagesCountsAndMarksDeadLetters() throws Exception {
    store.add(List.of(letter("ga4", "m-1", "u-1", "http_status", 500), letter("ga4", "m-2", "u-2", "timeout", null),
        letter("webhook", "m-3", "u-3", "timeout", null)));

    List<DeadLetterStore.Stored> pending = store.pending("ga4", 0, 10);
    assertThat(pending).extracting(p -> p.letter().messageId()).containsExactly("m-1", "m-2");
    DeadLetter first = pending.get(0).letter();
    assertThat(first.eventTime()).isEqualTo(Instant.parse("2026-11-28T10:00:00.123456Z"));
    assertThat(first.status()).isEqualTo(500);
    assertThat(pending.get(1).letter().status()).isNull();
    assertThat(first.response()).hasSize(DeadLetterStore.MAX_TEXT + 1);
    assertThat(first.detail()).isEqualTo("detail\tof m-1");
    assertThat(store.pending("ga4", pending.get(0).id(), 10)).hasSize(1);
    assertThat(store.pendingByReason("ga4")).containsExactly(Map.entry("http_status", 1L), Map.entry("timeout", 1L));

    store.markReplayed(List.of(pending.get(0).id()), Instant.parse("2026-11-28T11:00:00Z"));
    assertThat(store.pending("ga4", 0, 10)).extracting(p -> p.letter().messageId()).containsExactly("m-2");
    assertThat(store.recent("ga4", 10)).extracting(r -> r.get("replayedAt"))
        .containsExactly(null, "2026-11-28T11:00:00Z");
  }

  @Test
  void erasingAPersonTakesTheirDeadLetters() throws Exception {
    store.add(List.of(letter("ga4", "m-1", "u-1", "timeout", null), letter("ga4", "m-2", "u-2", "timeout", null)));

    DeletionResult result = warehouse.deletePerson("u-1", null, "admin");

    assertThat(result.quarantine()).isEqualTo(1);
    assertThat(store.pending("ga4", 0, 10)).extracting(p -> p.letter().userId()).containsExactly("u-2");
  }
}
