package io.trackside.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Meta's Conversions API endpoint on a local port, as strict as Meta is (protocols.md §4) and
 * deliberately written without the destination's code, so that a mapping mistake fails here:
 * {@code POST /{version}/{pixel}/events?access_token=…} with {@code {"data":[…]}}.
 *
 * <p>Like Meta it refuses the whole request — 400 and Graph API error JSON — when any single
 * event is invalid, and on success answers {@code {"events_received":N,"messages":[],
 * "fbtrace_id":…}}. Accepted events are kept; like Meta it counts an event whose event_name and
 * event_id it has already seen as a duplicate and keeps the first.
 *
 * <p>The error codes are Meta's (100 invalid parameter, 190 bad token); the subcode for an
 * invalid event is this stand-in's own choice, as Meta's subcodes vary by check.
 */
final class MetaStandIn implements AutoCloseable {

  static final int INVALID_EVENT_SUBCODE = 2804019;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern FB_COOKIE = Pattern.compile("fb\\.\\d\\.\\d{10,13}\\.\\S+");
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
  private static final Pattern CURRENCY = Pattern.compile("[A-Za-z]{3}");
  /** The currencies the tests use, from ISO 4217; anything else is refused as Meta refuses a non-currency. */
  private static final Set<String> KNOWN_CURRENCIES = Set.of("EUR", "USD", "GBP", "CHF", "JPY", "SEK", "NOK", "DKK",
      "PLN", "CZK", "CAD", "AUD", "NZD", "BRL", "MXN", "INR", "CNY", "HKD", "SGD", "ZAR", "TRY", "KRW");
  private static final Set<String> HASHED = Set.of("em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country");
  private static final Set<String> PLAIN = Set.of("client_ip_address", "client_user_agent", "fbc", "fbp",
      "subscription_id", "fb_login_id", "lead_id", "anon_id", "madid", "page_id", "page_scoped_user_id",
      "ctwa_clid", "ig_account_id", "ig_sid");
  private static final Set<String> ACTION_SOURCES = Set.of("website", "app", "email", "phone_call", "chat",
      "physical_store", "system_generated", "business_messaging", "other");
  private static final Set<String> EVENT_FIELDS = Set.of("event_name", "event_time", "user_data", "custom_data",
      "event_source_url", "opt_out", "event_id", "action_source", "data_processing_options",
      "data_processing_options_country", "data_processing_options_state", "referrer_url",
      "customer_segmentation", "original_event_data", "app_data", "messaging_channel");
  private static final Set<String> BODY_FIELDS = Set.of("data", "test_event_code", "partner_agent", "platforms",
      "upload_id", "upload_tag", "upload_source", "namespace_id");

  private final HttpServer server;
  private final String version;
  private final String pixelId;
  private final String accessToken;
  private final Clock clock;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger duplicates = new AtomicInteger();
  private final Map<String, JsonNode> byNameAndId = new LinkedHashMap<>();
  private final List<JsonNode> accepted = new ArrayList<>();
  private final List<String> testEventCodes = new ArrayList<>();
  private volatile String lastError;
  private volatile String failNextWith;

  private MetaStandIn(String version, String pixelId, String accessToken, Clock clock) throws IOException {
    this.version = version;
    this.pixelId = pixelId;
    this.accessToken = accessToken;
    this.clock = clock;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  static MetaStandIn start(String version, String pixelId, String accessToken, Clock clock) throws IOException {
    return new MetaStandIn(version, pixelId, accessToken, clock);
  }

  /** What to put in the destination's base-url. */
  String baseUrl() {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
  }

  /** Accepted events, each first copy only, in arrival order. */
  synchronized List<JsonNode> accepted() {
    return List.copyOf(accepted);
  }

  /** The accepted event with this event_id (the first one kept), or null. */
  synchronized JsonNode acceptedById(String eventId) {
    return accepted.stream().filter(e -> eventId.equals(e.path("event_id").asText(null))).findFirst().orElse(null);
  }

  /** Events received again with an event_name and event_id already seen (dropped, as Meta does). */
  int duplicates() {
    return duplicates.get();
  }

  int requests() {
    return requests.get();
  }

  synchronized List<String> testEventCodes() {
    return List.copyOf(testEventCodes);
  }

  /** The error_user_msg of the last refused request, to tell in a test why it was refused. */
  String lastError() {
    return lastError;
  }

  /** The next request is answered 400 with this Graph API error object (whatever it holds). */
  void failNext(String errorObjectJson) {
    failNextWith = errorObjectJson;
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String forced = failNextWith;
      if (forced != null) {
        failNextWith = null;
        respond(exchange, 400, "{\"error\":" + forced + "}");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (!"POST".equals(exchange.getRequestMethod()) || !path.equals("/" + version + "/" + pixelId + "/events")) {
        // What Graph answers for an id the token cannot reach or a wrong edge.
        respond(exchange, 400, error("Unsupported post request. Object with ID '" + path
            + "' does not exist, cannot be loaded due to missing permissions, or does not support this operation",
            100, 33, null));
        return;
      }
      if (!accessToken.equals(query(exchange).get("access_token"))) {
        respond(exchange, 400, error("Invalid OAuth access token - Cannot parse access token", 190, 0, null));
        return;
      }
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      if (contentType == null || !contentType.startsWith("application/json")) {
        respond(exchange, 400, invalid("the stand-in only reads JSON bodies, got Content-Type " + contentType));
        return;
      }
      JsonNode root;
      try {
        root = JSON.readTree(body);
      } catch (IOException e) {
        respond(exchange, 400, invalid("body is not JSON: " + e.getMessage()));
        return;
      }
      String problem;
      try {
        problem = check(root);
      } catch (RuntimeException bug) {
        // A bug in the stand-in must fail the test loudly, not look like Meta's answer.
        lastError = "stand-in failed: " + bug;
        respond(exchange, 500, "{\"stand_in_bug\":\"" + bug.getClass().getSimpleName() + "\"}");
        return;
      }
      if (problem != null) {
        respond(exchange, 400, invalid(problem));
        return;
      }
      record(root);
      respond(exchange, 200, "{\"events_received\":" + root.get("data").size() + ",\"messages\":[],\"fbtrace_id\":\""
          + traceId() + "\"}");
    }
  }

  private synchronized void record(JsonNode root) {
    if (root.has("test_event_code")) {
      testEventCodes.add(root.get("test_event_code").asText());
    }
    for (JsonNode event : root.get("data")) {
      JsonNode id = event.get("event_id");
      if (id == null) {
        accepted.add(event);
        continue;
      }
      String key = event.get("event_name").asText() + '\u0000' + id.asText();
      if (byNameAndId.putIfAbsent(key, event) == null) {
        accepted.add(event);
      } else {
        duplicates.incrementAndGet();
      }
    }
  }

  /** Null when Meta would take the request, else what it would say is wrong. */
  private String check(JsonNode root) {
    if (!root.isObject()) {
      return "body is not a JSON object";
    }
    for (var names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!BODY_FIELDS.contains(name)) {
        return "unknown body parameter " + name;
      }
    }
    if (root.has("test_event_code") && !root.get("test_event_code").isTextual()) {
      return "test_event_code must be a string";
    }
    JsonNode data = root.get("data");
    if (data == null || !data.isArray() || data.isEmpty()) {
      return "data must be a non-empty array";
    }
    if (data.size() > 1000) {
      return "data holds " + data.size() + " events, at most 1000 are allowed";
    }
    for (int i = 0; i < data.size(); i++) {
      String problem = checkEvent(data.get(i));
      if (problem != null) {
        return "data[" + i + "]" + problem;
      }
    }
    return null;
  }

  private String checkEvent(JsonNode event) {
    if (!event.isObject()) {
      return " is not an object";
    }
    for (var names = event.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!EVENT_FIELDS.contains(name)) {
        return ": unknown parameter " + name;
      }
    }
    JsonNode name = event.get("event_name");
    if (name == null || !name.isTextual() || name.asText().isBlank()) {
      return ".event_name is required";
    }
    JsonNode time = event.get("event_time");
    if (time == null || !time.isIntegralNumber()) {
      return ".event_time must be an integer (unix seconds)";
    }
    long now = clock.instant().getEpochSecond();
    if (time.asLong() < now - Duration.ofDays(7).toSeconds()) {
      return ".event_time is more than 7 days ago";
    }
    if (time.asLong() > now + 3600 || time.asLong() < 1_000_000_000L) {
      return ".event_time is not in unix seconds of the last 7 days";
    }
    JsonNode source = event.get("action_source");
    if (source == null || !ACTION_SOURCES.contains(source.asText())) {
      return ".action_source is required and must be one of " + ACTION_SOURCES;
    }
    if (event.has("event_id") && !event.get("event_id").isTextual()) {
      return ".event_id must be a string";
    }
    if (event.has("opt_out") && !event.get("opt_out").isBoolean()) {
      return ".opt_out must be a boolean";
    }
    JsonNode user = event.get("user_data");
    if (user == null || !user.isObject()) {
      return ".user_data is required";
    }
    if (source.asText().equals("website")) {
      JsonNode url = event.get("event_source_url");
      if (url == null || !url.isTextual() || !url.asText().matches("https?://\\S+")) {
        return ".event_source_url is required for website events";
      }
      if (!user.path("client_user_agent").isTextual()) {
        return ".user_data.client_user_agent is required for website events";
      }
    }
    String problem = checkUserData((ObjectNode) user);
    if (problem != null) {
      return ".user_data" + problem;
    }
    return checkCustomData(name.asText(), event.get("custom_data"));
  }

  private String checkUserData(ObjectNode user) {
    for (var fields = user.fields(); fields.hasNext(); ) {
      var field = fields.next();
      String key = field.getKey();
      JsonNode value = field.getValue();
      if (HASHED.contains(key)) {
        for (JsonNode element : value.isArray() ? value : List.of(value)) {
          if (!element.isTextual() || !SHA256.matcher(element.asText()).matches()) {
            return "." + key + " must be a lower-case hex SHA-256 of the normalised value, got " + element;
          }
        }
        if (value.isArray() && value.isEmpty()) {
          return "." + key + " is an empty array";
        }
      } else if (key.equals("external_id")) {
        for (JsonNode element : value.isArray() ? value : List.of(value)) {
          if (!element.isTextual() || element.asText().isBlank()) {
            return ".external_id must be a string or a list of strings";
          }
        }
      } else if (PLAIN.contains(key)) {
        if (!value.isTextual() || SHA256.matcher(value.asText()).matches()) {
          return "." + key + " must be sent as it is, not hashed, got " + value;
        }
        String problem = switch (key) {
          case "client_ip_address" -> ipAddress(value.asText()) ? null : " is not an IP address: " + value;
          case "fbc", "fbp" -> FB_COOKIE.matcher(value.asText()).matches() ? null
              : " is not fb.{subdomain}.{creation ms}.{value}: " + value;
          default -> null;
        };
        if (problem != null) {
          return "." + key + problem;
        }
      } else {
        return ": unknown parameter " + key;
      }
    }
    boolean person = user.has("em") || user.has("ph") || user.has("external_id") || user.has("fbc")
        || user.has("fbp") || (user.has("client_ip_address") && user.has("client_user_agent"))
        || ((user.has("fn") || user.has("ln")) && (user.has("zp") || user.has("ct") || user.has("country")));
    return person ? null : " has no customer information parameter Meta can match";
  }

  private static String checkCustomData(String eventName, JsonNode custom) {
    if (custom == null) {
      return eventName.equals("Purchase") ? ".custom_data with value and currency is required for Purchase" : null;
    }
    if (!custom.isObject()) {
      return ".custom_data must be an object";
    }
    JsonNode value = custom.get("value");
    JsonNode currency = custom.get("currency");
    if (value != null && !value.isNumber()) {
      return ".custom_data.value must be a number";
    }
    if (currency != null && !(currency.isTextual() && CURRENCY.matcher(currency.asText()).matches())) {
      return ".custom_data.currency must be an ISO 4217 code";
    }
    if (currency != null && !KNOWN_CURRENCIES.contains(currency.asText().toUpperCase(java.util.Locale.ROOT))) {
      // Meta checks the code against the real list: three letters that are no currency fail the request.
      return ".custom_data.currency " + currency.asText() + " is not a currency";
    }
    if (eventName.equals("Purchase") && (value == null || currency == null)) {
      return ".custom_data.value and currency are required for Purchase";
    }
    JsonNode contents = custom.get("contents");
    if (contents != null) {
      if (!contents.isArray()) {
        return ".custom_data.contents must be a list";
      }
      for (JsonNode content : contents) {
        if (!content.path("id").isTextual() || (content.has("quantity") && !content.get("quantity").isInt())
            || (content.has("item_price") && !content.get("item_price").isNumber())) {
          return ".custom_data.contents needs {id: string, quantity: int, item_price: number}, got " + content;
        }
      }
    }
    JsonNode ids = custom.get("content_ids");
    if (ids != null && (!ids.isArray() || !allText(ids))) {
      return ".custom_data.content_ids must be a list of strings";
    }
    if (custom.has("num_items") && !custom.get("num_items").isInt()) {
      return ".custom_data.num_items must be an integer";
    }
    if (custom.has("content_type") && !Set.of("product", "product_group").contains(custom.get("content_type").asText())) {
      return ".custom_data.content_type must be product or product_group";
    }
    return null;
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode element : array) {
      if (!element.isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static boolean ipAddress(String text) {
    var v4 = IPV4.matcher(text);
    if (v4.matches()) {
      for (int group = 1; group <= 4; group++) {
        if (Integer.parseInt(v4.group(group)) > 255) {
          return false;
        }
      }
      return true;
    }
    return IPV6.matcher(text).matches() && !text.contains(":::");
  }

  private String invalid(String userMessage) {
    lastError = userMessage;
    return error("Invalid parameter", 100, INVALID_EVENT_SUBCODE, userMessage);
  }

  private static String error(String message, int code, int subcode, String userMessage) {
    ObjectNode error = JSON.createObjectNode();
    ObjectNode e = error.putObject("error");
    e.put("message", message);
    e.put("type", "OAuthException");
    e.put("code", code);
    if (subcode != 0) {
      e.put("error_subcode", subcode);
    }
    e.put("is_transient", false);
    if (userMessage != null) {
      e.put("error_user_title", "Invalid event");
      e.put("error_user_msg", userMessage);
    }
    e.put("fbtrace_id", traceId());
    return error.toString();
  }

  private static String traceId() {
    return "A" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
  }

  private static Map<String, String> query(HttpExchange exchange) {
    Map<String, String> params = new LinkedHashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return params;
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
