package io.trackside.log;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The shared {@link EventLogContract} on the embedded, file-based log. */
class EmbeddedEventLogContractTest extends EventLogContract {
  @TempDir
  Path dir;
  private final AtomicInteger logs = new AtomicInteger();

  @Override
  protected EventLog newLog(int partitions) {
    return LogFixture.open(LogFixture.config(dir.resolve("log-" + logs.incrementAndGet()), partitions));
  }
}
