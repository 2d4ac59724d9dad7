package io.trackside.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import io.trackside.core.IntakeItem;
import io.trackside.core.ReceivedEvent;
import io.trackside.core.SegmentEvents;
import io.trackside.core.SegmentIntake;
import io.trackside.warehouse.Warehouse;
import io.trackside.warehouse.LoggedEvent;
import io.trackside.warehouse.QuarantineFilter;
import io.trackside.warehouse.QuarantineResolution;
import io.trackside.warehouse.QuarantineRow;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-runs quarantined events after a fix (a changed tracking plan, a raised limit): each row's
 * payload is judged again by the collector's own per-event rules ({@link SegmentIntake#revalidate})
 * and then by the current pipeline. Those that pass are written to the events table and leave
 * the quarantine in the same transaction; the rest stay, with the reason found now.
 *
 * <p>One job at a time, on its own thread, page by page (oldest first), so the warehouse
 * workers keep writing meanwhile and a job's progress can be watched. Each page is one
 * transaction, so a crash or stop mid-job leaves every row either replayed or untouched; running
 * the job again simply continues. Events are deduplicated on source and messageId, so running a
 * replay twice never stores an event twice.
 *
 * <p>The request metadata of a replayed event comes from the quarantine row: the User-Agent
 * header as received, the client address only truncated (the quarantine never holds a full one).
 * A replayed event's place and cookieless visitor id are therefore derived from the truncated
 * address; docs/pipeline/plans.md says why that trade is made.
 */
public final class QuarantineReplay implements AutoCloseable {

  /** The job that is running already. */
  public static final class AlreadyRunning extends Exception {
    private final transient ReplayJob running;

    AlreadyRunning(ReplayJob running) {
      super("replay job " + running.id() + " is still running", null, false, false);
      this.running = running;
    }

    public ReplayJob running() {
      return running;
    }
  }

  static final int PAGE = 500;
  private static final int KEPT_JOBS = 20;
  private static final int ATTEMPTS = 3;
  /** Reasons the collector gives bytes that are no event at all: a replay learns nothing new from them. */
  private static final Set<String> NOT_AN_EVENT = Set.of("invalid_json", "not_an_object");
  private static final Logger log = LoggerFactory.getLogger(QuarantineReplay.class);

  private final Warehouse warehouse;
  private final SegmentIntake intake;
  private final Pipeline.Factory pipelines;
  private final Map<String, Counter> replayed = new HashMap<>();
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "trackside-quarantine-replay");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, ReplayJob> jobs = new LinkedHashMap<>();
  private ReplayJob running;
  private volatile boolean stopping;

  public QuarantineReplay(Warehouse warehouse, SegmentIntake intake, Pipeline.Factory pipelines,
                          MeterRegistry registry) {
    this.warehouse = warehouse;
    this.intake = intake;
    this.pipelines = pipelines;
    for (String result : List.of("passed", "duplicate", "dropped", "still_failing")) {
      replayed.put(result, Counter.builder("trackside.quarantine.replayed")
          .description("quarantined events replayed, by result: passed (now in the events table), duplicate"
              + " (already there), dropped (the pipeline drops it now) — each removed from the quarantine —"
              + " or still_failing (stays, with its current reason)")
          .tag("result", result)
          .register(registry));
    }
  }

  /**
   * Starts a replay of the rows matching the filter, oldest first, at most {@code limit} (all
   * when null). Rows that reach the quarantine after the job started are left for the next job,
   * so a job always ends even while a blocking plan keeps quarantining traffic.
   */
  public synchronized ReplayJob start(QuarantineFilter filter, Integer limit) throws AlreadyRunning {
    if (stopping) {
      throw new IllegalStateException("Trackside is shutting down");
    }
    if (running != null && running.state() == ReplayJob.State.RUNNING) {
      throw new AlreadyRunning(running);
    }
    Instant now = Instant.now();
    QuarantineFilter bounded = new QuarantineFilter(filter.reason(), filter.source(), filter.since(),
        filter.until() == null || filter.until().isAfter(now) ? now : filter.until());
    ReplayJob job = new ReplayJob(UUID.randomUUID().toString(), bounded, limit, now);
    jobs.put(job.id(), job);
    while (jobs.size() > KEPT_JOBS) {
      jobs.remove(jobs.keySet().iterator().next());
    }
    running = job;
    executor.execute(() -> run(job, limit));
    return job;
  }

  public synchronized ReplayJob job(String id) {
    return jobs.get(id);
  }

  /** The kept jobs, newest first. */
  public synchronized List<ReplayJob> jobs() {
    List<ReplayJob> list = new ArrayList<>(jobs.values());
    java.util.Collections.reverse(list);
    return list;
  }

  private void run(ReplayJob job, Integer limit) {
    log.info("Quarantine replay {} started: {}", job.id(), job.filter());
    try {
      long total = warehouse.countQuarantine(job.filter());
      long budget = limit == null ? total : Math.min(total, limit);
      job.total(budget);
      Pipeline pipeline = pipelines.create(0); // its own instances of stateful steps
      QuarantineRow after = null;
      long done = 0;
      while (done < budget) {
        if (stopping) {
          job.finish(ReplayJob.State.STOPPED, "Trackside was shut down; run the replay again to continue");
          return;
        }
        List<QuarantineRow> page = warehouse.quarantinePage(job.filter(), after, (int) Math.min(PAGE, budget - done));
        if (page.isEmpty()) {
          break; // fewer rows than counted: some were deleted meanwhile
        }
        settle(job, page, pipeline);
        after = page.get(page.size() - 1);
        done += page.size();
      }
      job.finish(ReplayJob.State.DONE, null);
      log.info("Quarantine replay {} done: {}", job.id(), job.status());
    } catch (SQLException | RuntimeException e) {
      log.error("Quarantine replay {} failed: {}", job.id(), e.toString(), e);
      job.finish(ReplayJob.State.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  /** Replays one page and settles it in one transaction, retrying a failed write a few times. */
  private void settle(ReplayJob job, List<QuarantineRow> page, Pipeline pipeline) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      Page replayedPage = replay(page, pipeline);
      QuarantineResolution.Result result;
      try {
        result = warehouse.resolveQuarantine(replayedPage.resolution());
      } catch (SQLException e) {
        if (attempt >= ATTEMPTS || stopping) {
          throw e;
        }
        log.warn("Quarantine replay {}: writing a page failed ({}); retrying", job.id(), e.getMessage());
        sleep(attempt * 1000L);
        continue;
      }
      Map<String, Long> failing = new HashMap<>(replayedPage.stillFailingByReason());
      if (result.unstorable() > 0) {
        failing.merge(Warehouse.UNSTORABLE, (long) result.unstorable(), Long::sum);
      }
      long dropped = replayedPage.resolution().removedIds().size();
      job.count(result.written(), result.duplicates(), dropped, failing);
      replayed.get("passed").increment(result.written());
      replayed.get("duplicate").increment(result.duplicates());
      replayed.get("dropped").increment(dropped);
      replayed.get("still_failing").increment(failing.values().stream().mapToLong(Long::longValue).sum());
      return;
    }
  }

  private record Page(QuarantineResolution resolution, Map<String, Long> stillFailingByReason) {
  }

  private Page replay(List<QuarantineRow> rows, Pipeline pipeline) {
    List<QuarantineResolution.Passed> passed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<QuarantineResolution.Failed> changed = new ArrayList<>();
    Map<String, Long> failingByReason = new HashMap<>();
    for (QuarantineRow row : rows) {
      Verdict verdict = judge(row, pipeline);
      switch (verdict.kind) {
        case PASSED -> passed.add(new QuarantineResolution.Passed(row.id(), verdict.event));
        case DROPPED -> removed.add(row.id());
        default -> {
          failingByReason.merge(verdict.reason, 1L, Long::sum);
          if (!Objects.equals(verdict.reason, row.reason()) || !Objects.equals(verdict.detail, row.detail())) {
            changed.add(new QuarantineResolution.Failed(row.id(), verdict.reason, verdict.detail));
          }
        }
      }
    }
    return new Page(new QuarantineResolution(passed, removed, changed), failingByReason);
  }

  private enum Kind { PASSED, DROPPED, FAILED }

  private record Verdict(Kind kind, LoggedEvent event, String reason, String detail) {
    static Verdict failed(String reason, String detail) {
      return new Verdict(Kind.FAILED, null, reason, detail);
    }
  }

  /** The same judgement a new event gets: the collector's rules, then the pipeline. */
  private Verdict judge(QuarantineRow row, Pipeline pipeline) {
    if (row.payload() == null) {
      return Verdict.failed(row.reason(), row.detail());
    }
    IntakeItem item = intake.revalidate(row.payload().getBytes(StandardCharsets.UTF_8), row.id());
    if (!item.valid()) {
      return NOT_AN_EVENT.contains(item.rejectReason())
          ? Verdict.failed(row.reason(), row.detail()) // no event in there: keep what was known
          : Verdict.failed(item.rejectReason(), item.rejectDetail());
    }
    long receivedAt = row.receivedAt().toEpochMilli();
    ReceivedEvent received = new ReceivedEvent(receivedAt, row.source(), row.ip(), row.userAgent(), null, null,
        item.json());
    Event event;
    try {
      event = SegmentEvents.decode(received);
    } catch (RuntimeException e) {
      return Verdict.failed("undecodable", e.getMessage());
    }
    EnrichedEvent enriched = pipeline.process(event);
    if (enriched.quarantineReason() != null) {
      return Verdict.failed(enriched.quarantineReason(), enriched.quarantineDetail());
    }
    if (enriched.dropReason() != null) {
      return new Verdict(Kind.DROPPED, null, null, null);
    }
    return new Verdict(Kind.PASSED, new LoggedEvent(enriched, row.logPartition(), row.logOffset()), null, null);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops a running job between two pages (each page is settled or untouched) and waits briefly. */
  @Override
  public void close() {
    stopping = true;
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("The quarantine replay did not stop within 10 s; its current page is rolled back");
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
