package io.trackside.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trackside.collect.HttpErrors;
import io.trackside.warehouse.DeletionResult;
import io.trackside.warehouse.Warehouse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Erasure requests (GDPR art. 17, CCPA): {@code POST /api/privacy/delete} with
 * {@code {"userId": "…"}} or {@code {"anonymousId": "…"}} deletes the person's events,
 * quarantined records and identity links, suppresses their future events and answers with the
 * counts; {@code GET /api/privacy/audit} lists what was deleted, when and by whom. Behind the
 * admin token (see {@link AdminApi}), so every request is the admin's.
 */
public final class PrivacyApi implements ApiRoutes {

  static final String ACTOR = "admin";
  static final int MAX_ID_LENGTH = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Warehouse warehouse;

  public PrivacyApi(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  @Override
  public void mount(Router router) {
    router.post("/api/privacy/delete").handler(BodyHandler.create(false).setBodyLimit(16 * 1024))
        .blockingHandler(this::delete, false);
    router.get("/api/privacy/audit").blockingHandler(this::audit, false);
  }

  private void delete(RoutingContext ctx) {
    JsonNode body;
    try {
      byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
      body = bytes.length == 0 ? null : JSON.readTree(bytes);
    } catch (IOException e) {
      HttpErrors.send(ctx, 400, "invalid_json", "the body must be JSON: {\"userId\": \"…\"} or {\"anonymousId\": \"…\"}");
      return;
    }
    String userId = id(body, "userId");
    String anonymousId = id(body, "anonymousId");
    if (body == null || !body.isObject() || (userId == null) == (anonymousId == null)) {
      HttpErrors.send(ctx, 400, "invalid_request",
          "send exactly one of {\"userId\": \"…\"} or {\"anonymousId\": \"…\"} (a non-empty string or integer of at most "
              + MAX_ID_LENGTH + " characters)");
      return;
    }
    DeletionResult result;
    try {
      result = warehouse.deletePerson(userId, anonymousId, ACTOR);
    } catch (SQLException e) {
      HttpErrors.unavailable(ctx, "deletion_failed", "the deletion did not complete: " + e.getMessage()
          + "; the ids are suppressed if they could be recorded — send the same request again", 5);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      HttpErrors.unavailable(ctx, "shutting_down", "interrupted; send the same request again", 5);
      return;
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("auditId", result.auditId());
    answer.put("at", result.at().toString());
    answer.put("userIds", result.userIds());
    answer.put("anonymousIds", result.anonymousIds());
    Map<String, Object> deleted = new LinkedHashMap<>();
    deleted.put("events", result.events());
    deleted.put("quarantine", result.quarantine());
    deleted.put("identities", result.identities());
    answer.put("deleted", deleted);
    answer.put("suppressed", result.userIds().size() + result.anonymousIds().size());
    respond(ctx, answer);
  }

  /** A non-blank id: strings as they are, integers in decimal (as the collector takes them). */
  private static String id(JsonNode body, String field) {
    JsonNode node = body == null ? null : body.get(field);
    if (node == null || !(node.isTextual() || node.isIntegralNumber())) {
      return null;
    }
    String text = node.asText();
    return text.isBlank() || text.length() > MAX_ID_LENGTH ? null : text;
  }

  private void audit(RoutingContext ctx) {
    String text = ctx.request().getParam("limit");
    int limit = 100;
    if (text != null && !text.isBlank()) {
      try {
        limit = Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > AdminApi.MAX_LIMIT) {
        HttpErrors.send(ctx, 400, "invalid_limit", "limit must be a whole number from 1 to " + AdminApi.MAX_LIMIT);
        return;
      }
    }
    try {
      respond(ctx, Map.of("audit", warehouse.privacyAudit(limit)));
    } catch (SQLException e) {
      HttpErrors.send(ctx, 503, "warehouse_unavailable", "the warehouse could not answer: " + e.getMessage());
    }
  }

  private static void respond(RoutingContext ctx, Object body) {
    try {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      ctx.fail(e);
    }
  }
}
