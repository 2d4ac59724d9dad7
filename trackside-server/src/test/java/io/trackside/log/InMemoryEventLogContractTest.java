package io.trackside.log;

/**
 * The shared {@link EventLogContract} on the in-memory log other tests stand on, so that what
 * they prove with it holds for the real logs too.
 */
class InMemoryEventLogContractTest extends EventLogContract {
  @Override
  protected EventLog newLog(int partitions) {
    return new InMemoryEventLog(partitions);
  }
}
