package io.trackside.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressCacheTest {

  @Test
  void answersWhatWasPutAndNeverAnotherKeysValue() {
    AddressCache<String> cache = new AddressCache<>(100);
    assertThat(cache.slots()).isEqualTo(128);
    for (int i = 0; i < 10_000; i++) {
      cache.put("10.0." + (i / 256) + "." + (i % 256), "v" + i);
    }
    int hits = 0;
    for (int i = 0; i < 10_000; i++) {
      String value = cache.get("10.0." + (i / 256) + "." + (i % 256));
      if (value != null) {
        assertThat(value).isEqualTo("v" + i);
        hits++;
      }
    }
    assertThat(hits).as("bounded: at most one entry per slot").isBetween(1, 128);
    assertThat(cache.get("10.0.39.15")).isEqualTo("v" + (39 * 256 + 15)); // the last one put stays
  }
}
