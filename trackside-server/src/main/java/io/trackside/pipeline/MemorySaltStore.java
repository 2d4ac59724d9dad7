package io.trackside.pipeline;

import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.List;

/** Keys that live in memory only (tests, benchmarks): every key asked for is a new random one. */
final class MemorySaltStore implements SaltStore {

  private final SecureRandom random = new SecureRandom();

  @Override
  public byte[] keyFor(LocalDate day) {
    byte[] key = new byte[DailySalts.SALT_BYTES];
    random.nextBytes(key);
    return key;
  }

  @Override
  public void retainOnly(LocalDate today, LocalDate yesterday) {
    // DailySalts drops its own references; nothing else holds a key
  }

  @Override
  public List<LocalDate> storedDays() {
    return List.of();
  }
}
