package io.trackside.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trackside.core.EnrichedEvent;
import io.trackside.core.Event;
import java.sql.SQLException;
import java.time.Instant;
import org.duckdb.DuckDBAppender;

/**
 * Turns an {@link EnrichedEvent} into one row of the events table: the Segment fields plus what
 * the pipeline derived (page, campaign, device, place, session, ...), as typed columns, so
 * reports do not have to dig through JSON.
 */
final class EventColumns {

  private static final boolean[] TIMESTAMP_COLUMN = timestampColumns();
  private static final int RECEIVED_AT =
      Schema.EVENTS.stream().map(Schema.Column::name).toList().indexOf("received_at");

  private EventColumns() {
  }

  /**
   * The row's values in {@link Schema#EVENTS} order: Strings, epoch-microsecond Longs for
   * timestamps, an Integer partition and a Long offset. Everything that can go wrong with a
   * strange event goes wrong here, before the Appender is touched, so the caller can quarantine
   * that one event instead of failing (and endlessly retrying) the whole batch.
   */
  static Object[] values(LoggedEvent logged) {
    EnrichedEvent x = logged.enriched();
    Event e = x.event();
    ObjectNode context = e.context();
    JsonNode library = context.path("library");
    return new Object[] {
        e.messageId(),
        e.source(),
        e.type(),
        e.event(),
        e.name(),
        e.userId(),
        e.anonymousId(),
        e.groupId(),
        e.previousId(),
        epochMicros(e.timestamp()),
        epochMicros(e.originalTimestamp()),
        epochMicros(e.sentAt()),
        epochMicros(e.receivedAt()),
        x.pageUrl,
        x.pageHost,
        x.pagePath,
        x.pageReferrer,
        x.pageTitle,
        x.pageSearch,
        x.referrerHost,
        x.channel,
        x.referrerSource,
        x.utmSource,
        x.utmMedium,
        x.utmCampaign,
        x.utmTerm,
        x.utmContent,
        x.clickIds.isEmpty() ? null : JsonStrings.object(x.clickIds),
        x.userAgent,
        x.browser,
        x.browserVersion,
        x.os,
        x.osVersion,
        x.deviceClass,
        x.bot,
        x.botReason,
        x.country,
        x.region,
        x.city,
        text(context, "locale"),
        x.ip,
        x.visitorId,
        x.consentKnown ? JsonStrings.array(x.consent) : null,
        x.sessionId,
        x.sessionId == null ? null : x.sessionNumber,
        x.planViolations.isEmpty() ? null : JsonStrings.array(x.planViolations),
        text(library, "name"),
        text(library, "version"),
        JsonStrings.node(e.properties()),
        JsonStrings.node(e.traits()),
        JsonStrings.node(storedContext(context, x.ip)),
        JsonStrings.node(e.integrations()),
        logged.logPartition(),
        logged.logOffset()};
  }

  /** Appends values made by {@link #values}; their types fit the columns, so data cannot make this fail. */
  static void append(DuckDBAppender row, Object[] values) throws SQLException {
    row.beginRow();
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v == null) {
        row.appendNull();
      } else if (TIMESTAMP_COLUMN[i]) {
        row.appendEpochMicros((Long) v);
      } else if (v instanceof String text) {
        row.append(text);
      } else if (v instanceof Boolean b) {
        row.append(b.booleanValue());
      } else if (v instanceof Integer n) {
        row.append(n.intValue());
      } else {
        row.append(((Long) v).longValue());
      }
    }
    row.endRow();
  }

  /**
   * Writes values made by {@link #values} as one row of COPY text for PostgreSQL.
   *
   * @throws PgCopyText.UnstorableValue for a value PostgreSQL cannot hold (U+0000 in a text, a
   *                                    timestamp before 4713 BC, no received_at to partition by);
   *                                    nothing of the row is left in {@code row}
   */
  static void copy(PgCopyText row, Object[] values) {
    int start = row.length();
    try {
      if (values[RECEIVED_AT] == null) {
        throw new PgCopyText.UnstorableValue("no received_at: the events table is partitioned by it");
      }
      for (int i = 0; i < values.length; i++) {
        Object v = values[i];
        if (TIMESTAMP_COLUMN[i]) {
          row.timestampMicros((Long) v);
        } else if (v == null || v instanceof String) {
          row.field((String) v);
        } else if (v instanceof Boolean b) {
          row.field(b);
        } else {
          row.field((Number) v);
        }
      }
      row.endRow();
    } catch (RuntimeException e) {
      row.discardFrom(start);
      throw e;
    }
  }

  static void timestamp(DuckDBAppender row, Instant instant) throws SQLException {
    Long micros = epochMicros(instant);
    if (micros == null) {
      row.appendNull();
    } else {
      row.appendEpochMicros(micros);
    }
  }

  /** Epoch micros rather than LocalDateTime: no JVM time zone can get in the way. */
  static Long epochMicros(Instant instant) {
    return instant == null ? null
        : Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  private static boolean[] timestampColumns() {
    boolean[] timestamp = new boolean[Schema.EVENTS.size()];
    for (int i = 0; i < timestamp.length; i++) {
      timestamp[i] = Schema.EVENTS.get(i).type().equals("TIMESTAMP");
    }
    return timestamp;
  }

  /** The raw IP must not survive inside the context JSON either: it is stored as the ip column is. */
  static ObjectNode storedContext(ObjectNode context, String storedIp) {
    if (!context.has("ip")) {
      return context;
    }
    ObjectNode copy = context.objectNode(); // shallow: the event itself stays untouched
    copy.setAll(context);
    if (storedIp == null) {
      copy.remove("ip");
    } else {
      copy.put("ip", storedIp);
    }
    return copy;
  }

  private static String text(JsonNode parent, String field) {
    JsonNode node = parent.get(field);
    return node != null && node.isValueNode() && !node.isNull() ? node.asText() : null;
  }
}
