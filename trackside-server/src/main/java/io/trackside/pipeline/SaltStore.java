package io.trackside.pipeline;

import java.time.LocalDate;
import java.util.List;

/**
 * Where the daily keys of {@link DailySalts} live: files of one node, or a table every node of a
 * cluster shares. {@link DailySalts} decides which days exist (today's and yesterday's); the
 * store only keeps them.
 */
interface SaltStore {

  /**
   * The day's key: the stored one, else a new random one, stored before it is returned. Null when
   * the store refuses to make the day because it is already retired (a shared store whose other
   * nodes have moved two days past it); never a key that another node could not also get.
   *
   * @throws SaltsUnavailableException when a shared store cannot be reached
   */
  byte[] keyFor(LocalDate day);

  /**
   * Deletes, beyond recovery as far as the storage allows, every key older than yesterday's. A
   * store of one node deletes every other day's too; a shared store keeps the days after today,
   * which belong to nodes whose clock is ahead of this one's.
   */
  void retainOnly(LocalDate today, LocalDate yesterday);

  /** The days that have a key right now, oldest first (tests and the start-up log). */
  List<LocalDate> storedDays();
}
