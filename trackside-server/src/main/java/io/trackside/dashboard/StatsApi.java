package io.trackside.dashboard;

import io.trackside.collect.HttpErrors;
import io.trackside.warehouse.Breakdowns;
import io.trackside.warehouse.DataQuality;
import io.trackside.warehouse.Ecommerce;
import io.trackside.warehouse.LiveVisitors;
import io.trackside.warehouse.Overview;
import io.trackside.warehouse.SessionRollup;
import io.trackside.warehouse.StatsReaders;
import io.trackside.warehouse.StatsScope;
import io.trackside.warehouse.Timeseries;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The dashboard's numbers as JSON (docs/DASHBOARD.md): {@code GET /api/stats/overview},
 * {@code timeseries}, {@code breakdown/{dimension}}, {@code live}, {@code ecommerce} and
 * {@code quality}. Parameters are read and checked on the worker thread before a connection is
 * taken; a bad one is a 400 with the message of the {@link IllegalArgumentException} that names it.
 * Queries run on the {@link StatsReaders} pool, never on the event loop nor on the warehouse's
 * shared reader.
 */
public final class StatsApi implements ApiRoutes {
  static final int DEFAULT_LIMIT = 10;
  static final int DEFAULT_ECOMMERCE_LIMIT = 20;

  /** The destinations as {@code DestinationsApi} lists them; may read the dead letters. */
  @FunctionalInterface
  public interface DestinationStates {
    List<Map<String, Object>> describe() throws SQLException;
  }

  /**
   * What the data-quality view needs from outside the warehouse.
   *
   * @param ingest       counters since the process started ({@link IngestCounters#snapshot})
   * @param destinations each destination's state; an empty list when none is configured
   * @param pipelineLag  records in the event log the warehouse writer has not committed yet
   */
  public record QualitySources(Supplier<Map<String, Object>> ingest, DestinationStates destinations,
                               LongSupplier pipelineLag) {
  }

  @FunctionalInterface
  private interface Query {
    Object run(Connection conn, StatsScope scope) throws SQLException;
  }

  private final StatsReaders readers;
  private final SessionRollup rollup;
  private final StatsParams params;
  private final Clock clock;
  private final QualitySources quality;

  /** @param rollup null to always group the events (slower on large ranges) */
  public StatsApi(StatsReaders readers, SessionRollup rollup, ZoneId zone, Clock clock, QualitySources quality) {
    this.readers = readers;
    this.rollup = rollup;
    this.params = new StatsParams(zone, clock);
    this.clock = clock;
    this.quality = quality;
  }

  @Override
  public void mount(Router router) {
    router.get("/api/stats/overview").blockingHandler(ctx -> answer(ctx, (conn, scope) -> Overview.query(conn, scope, rollupUntil())), false);
    router.get("/api/stats/timeseries").blockingHandler(this::timeseries, false);
    router.get("/api/stats/breakdown/:dimension").blockingHandler(this::breakdown, false);
    router.get("/api/stats/live").blockingHandler(
        ctx -> answer(ctx, (conn, scope) -> LiveVisitors.query(conn, scope, clock.instant())), false);
    router.get("/api/stats/ecommerce").blockingHandler(this::ecommerce, false);
    router.get("/api/stats/quality").blockingHandler(this::quality, false);
  }

  private void timeseries(RoutingContext ctx) {
    String text = ctx.request().getParam("interval");
    Timeseries.Interval interval;
    try {
      interval = Timeseries.Interval.parse(text == null || text.isBlank() ? "day" : text.trim());
    } catch (IllegalArgumentException e) {
      HttpErrors.send(ctx, 400, "invalid_parameter", e.getMessage());
      return;
    }
    answer(ctx, (conn, scope) -> Timeseries.query(conn, scope, interval, rollupUntil()));
  }

  private void breakdown(RoutingContext ctx) {
    String dimension = ctx.pathParam("dimension");
    if (!StatsScope.DIMENSIONS.contains(dimension)) {
      HttpErrors.send(ctx, 400, "invalid_parameter", "no dimension '" + dimension + "'; dimensions: "
          + StatsScope.DIMENSIONS);
      return;
    }
    Integer limit = number(ctx, "limit", DEFAULT_LIMIT, 1, Breakdowns.MAX_LIMIT);
    if (limit != null) {
      answer(ctx, (conn, scope) -> Breakdowns.query(conn, scope, dimension, limit, rollupUntil()));
    }
  }

  private void ecommerce(RoutingContext ctx) {
    Integer hours = number(ctx, "abandonHours", 24, 1, Ecommerce.MAX_ABANDON_HOURS);
    if (hours == null) {
      return;
    }
    Integer limit = number(ctx, "limit", DEFAULT_ECOMMERCE_LIMIT, 1, Breakdowns.MAX_LIMIT);
    if (limit != null) {
      answer(ctx, (conn, scope) -> Ecommerce.query(conn, scope, hours, limit, clock.instant(),
          rollupUntil()));
    }
  }

  private void quality(RoutingContext ctx) {
    answer(ctx, (conn, scope) -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("range", Overview.range(scope));
      body.put("ingest", quality.ingest().get());
      body.put("warehouse", DataQuality.query(conn, scope));
      body.put("destinations", quality.destinations().describe());
      body.put("pipelineLag", quality.pipelineLag().getAsLong());
      body.put("sessionRollup", Map.of("ready", rollup != null && rollup.ready()));
      return body;
    });
  }

  /** Until when sessions may be read from the rollup (null while it is not ready): now. */
  private Instant rollupUntil() {
    return rollup != null && rollup.ready() ? clock.instant() : null;
  }

  /** Reads the shared parameters, runs the query on a pooled connection and answers. */
  private void answer(RoutingContext ctx, Query query) {
    try {
      StatsScope scope = params.scope(ctx.request().params());
      Object body = readers.read(conn -> query.run(conn, scope));
      JsonAnswers.send(ctx, 200, body);
    } catch (IllegalArgumentException e) {
      HttpErrors.send(ctx, 400, "invalid_parameter", e.getMessage());
    } catch (SQLException e) {
      HttpErrors.send(ctx, 503, "warehouse_unavailable", "the warehouse could not answer: " + e.getMessage());
    }
  }

  /** A whole-number parameter in [min, max], its default when absent; null after answering 400. */
  private static Integer number(RoutingContext ctx, String name, int fallback, int min, int max) {
    String text = ctx.request().getParam(name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    HttpErrors.send(ctx, 400, "invalid_parameter", name + " must be a whole number from " + min + " to " + max
        + ", got '" + text + "'");
    return null;
  }
}
