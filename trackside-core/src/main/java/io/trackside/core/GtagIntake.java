package io.trackside.core;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Turns a gtag.js hit ({@code GET} or {@code POST /g/collect}, protocol v2) into log-ready
 * events, as sGTM's GA4 client claims them (protocols.md §3). The query string holds the
 * parameters shared by every event; an empty body means the query is the one event, else each
 * non-blank line of the body ({@code \n} or {@code \r\n}) is one event with its parameters
 * merged over the shared ones.
 *
 * <p>Each event is mapped to the Segment shape ({@link GtagEvents}) and then judged by exactly
 * the rules and limits of a Segment event ({@link SegmentIntake}), so a gtag event is stored,
 * quarantined and replayed like any other. A line that cannot be decoded is quarantined as
 * {@code invalid_hit} with the raw text; the other lines are stored. Only what makes the whole
 * request unusable is an {@link IntakeException}.
 */
public final class GtagIntake {

  private final SegmentIntake judge;

  /** @param judge the Segment intake whose per-event rules and limits apply to gtag events too */
  public GtagIntake(SegmentIntake judge) {
    this.judge = judge;
  }

  public IntakeLimits limits() {
    return judge.limits();
  }

  /**
   * A hit's shared parameters, read before the body so the caller can find the source (by
   * measurement id) and refuse an unknown one without reading further.
   */
  public record Shared(String measurementId, String rawQuery, Map<String, String> params) {
  }

  /**
   * @param rawQuery the query string as received (without {@code ?}), or null
   * @throws IntakeException {@code invalid_hit} (not URL-encoded parameters),
   *                         {@code unsupported_version} (no {@code v=2}),
   *                         {@code missing_measurement_id} (no {@code tid}),
   *                         {@code request_too_large}
   */
  public Shared shared(String rawQuery) throws IntakeException {
    String query = rawQuery == null ? "" : rawQuery;
    if (query.length() > judge.limits().maxEventBytes()) {
      throw new IntakeException("request_too_large",
          "the query string is " + query.length() + " characters; the limit is " + judge.limits().maxEventBytes());
    }
    Map<String, String> params;
    try {
      params = GtagParams.parse(query);
    } catch (IllegalArgumentException e) {
      throw new IntakeException("invalid_hit", "the query string is not URL-encoded parameters: " + e.getMessage());
    }
    if (!"2".equals(params.get("v"))) {
      throw new IntakeException("unsupported_version", "a gtag hit needs v=2 (GA4), got "
          + (params.containsKey("v") ? "v=" + shorten(params.get("v")) : "no v"));
    }
    String tid = params.get("tid");
    if (tid == null || tid.isBlank()) {
      throw new IntakeException("missing_measurement_id", "a gtag hit needs its measurement id as tid=G-…");
    }
    return new Shared(tid.strip(), query, Collections.unmodifiableMap(params));
  }

  /**
   * @param body the (already inflated) body; empty for a GET or a single-event POST
   * @throws IntakeException {@code request_too_large}, {@code batch_too_large}
   */
  public List<IntakeItem> events(Shared shared, byte[] body) throws IntakeException {
    IntakeLimits limits = judge.limits();
    if (body.length > limits.maxRequestBytes()) {
      throw new IntakeException("request_too_large",
          "request body is " + body.length + " bytes; the limit is " + limits.maxRequestBytes());
    }
    List<String> lines = lines(new String(body, StandardCharsets.UTF_8));
    if (lines.size() > limits.maxBatchEvents()) {
      throw new IntakeException("batch_too_large",
          "the body has " + lines.size() + " events; the limit is " + limits.maxBatchEvents());
    }
    if (lines.isEmpty()) {
      return List.of(item(shared.params(), 0, shared.rawQuery(), null));
    }
    List<IntakeItem> items = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Map<String, String> own;
      try {
        own = GtagParams.parse(line);
      } catch (IllegalArgumentException e) {
        items.add(invalidLine(shared, line, i, e.getMessage()));
        continue;
      }
      items.add(item(GtagParams.merge(shared.params(), own), i, shared.rawQuery(), line));
    }
    return items;
  }

  private IntakeItem item(Map<String, String> params, int index, String rawQuery, String rawLine) {
    ObjectNode event = GtagEvents.event(params, GtagEvents.messageId(params, index, rawQuery, rawLine));
    return judge.item(event);
  }

  /** Kept with the raw text (raw is kept, promise 4), so the quarantine shows what arrived. */
  private IntakeItem invalidLine(Shared shared, String line, int index, String problem) {
    ObjectNode raw = JsonNodeFactory.instance.objectNode();
    raw.putObject("gtag").put("query", shared.rawQuery()).put("line", line);
    String cid = shared.params().get("cid");
    return judge.reject(raw, cid == null || cid.isEmpty() ? null : cid, "invalid_hit",
        "line " + (index + 1) + " of the body is not URL-encoded parameters: " + problem);
  }

  /** The body's non-blank lines, split at {@code \n} with a {@code \r} before it removed. */
  static List<String> lines(String body) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start <= body.length()) {
      int newline = body.indexOf('\n', start);
      int end = newline < 0 ? body.length() : newline;
      String line = body.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (!line.isBlank()) {
        lines.add(line.strip());
      }
      if (newline < 0) {
        break;
      }
      start = newline + 1;
    }
    return lines;
  }

  private static String shorten(String text) {
    return text.length() > 20 ? text.substring(0, 20) + "…" : text;
  }
}
