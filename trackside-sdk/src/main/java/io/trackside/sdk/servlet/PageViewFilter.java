package io.trackside.sdk.servlet;

import io.trackside.sdk.PageMessage;
import io.trackside.sdk.Trackside;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Records a Segment {@code page} event for every HTML page the application serves: a GET
 * answered 2xx with {@code Content-Type: text/html}, that is not an asset, a health check or an
 * obvious bot. The event carries the path, full URL (campaign parameters included), title (when
 * the application sets the request attribute {@value #TITLE}), referrer, the visitor's IP
 * (forwarded headers believed only from trusted proxies) and User-Agent.
 *
 * <p>Each such request gets a page-view id, readable by the page as the request attribute
 * {@value #PAGE_VIEW_ID}, which becomes the event's messageId: a browser snippet on the page that
 * sends its page view with the same id is stored once (the server dedupes on source + messageId).
 *
 * <p>Configure with {@link #builder(Trackside)}, or in web.xml by init parameters (see the
 * module's README). Tracking never breaks a page: problems are logged, not thrown.
 */
public final class PageViewFilter implements Filter {
  /** Request attribute: this page view's id (a UUID string), set before the application runs. */
  public static final String PAGE_VIEW_ID = "trackside.pageViewId";
  /** Request attribute the application may set: the page's title. */
  public static final String TITLE = "trackside.title";
  /** Request attribute the application may set: the signed-in user's id. */
  public static final String USER_ID = "trackside.userId";

  static final List<String> DEFAULT_SKIP_PATHS = List.of("/healthz", "/readyz", "/metrics", "/actuator");
  /** Substrings (lower case) of User-Agents that are surely not people; the server detects the rest. */
  static final List<String> DEFAULT_BOT_AGENTS = List.of("bot", "crawler", "spider", "slurp", "curl", "wget",
      "python-requests", "python-urllib", "go-http-client", "headless", "lighthouse");
  /** Paths ending in these are assets; a page is skipped later anyway unless it answers text/html. */
  static final Set<String> ASSET_EXTENSIONS = Set.of("css", "js", "mjs", "map", "json", "xml", "txt", "ico", "png",
      "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp", "woff", "woff2", "ttf", "otf", "eot", "mp4", "webm",
      "mp3", "ogg", "wav", "pdf", "zip", "gz", "wasm");

  private static final System.Logger LOG = System.getLogger(PageViewFilter.class.getName());
  private static final int MAX_COOKIE_ID_LENGTH = 200;

  private Trackside trackside;
  private boolean ownsClient;
  private ForwardedHeaders forwarded;
  private String anonymousIdCookie;
  private List<String> skipPaths;
  private List<String> botAgents;

  /** For web.xml and {@code @WebFilter}: configured from init parameters in {@link #init}. */
  public PageViewFilter() {
  }

  private PageViewFilter(Builder b) {
    this.trackside = b.trackside;
    this.forwarded = new ForwardedHeaders(b.trustedProxies);
    this.anonymousIdCookie = b.anonymousIdCookie;
    this.skipPaths = List.copyOf(b.skipPaths);
    this.botAgents = List.copyOf(b.botAgents);
  }

  /** @param trackside the client the page views go through; the application closes it */
  public static Builder builder(Trackside trackside) {
    return new Builder(trackside);
  }

  /**
   * A filter made by the builder ignores init parameters. Otherwise: {@code endpoint} and
   * {@code writeKey} (a client of its own, closed in {@link #destroy}) or {@code clientAttribute}
   * (the name of a servlet-context attribute holding the application's {@link Trackside}), and
   * optionally {@code trustedProxies}, {@code anonymousIdCookie}, {@code skipPaths},
   * {@code botUserAgents} (comma-separated lists).
   */
  @Override
  public void init(FilterConfig config) throws ServletException {
    if (trackside != null) {
      return;
    }
    try {
      Builder b = new Builder(client(config));
      String proxies = config.getInitParameter("trustedProxies");
      if (proxies != null) {
        b.trustedProxies(list(proxies).toArray(String[]::new));
      }
      b.anonymousIdCookie(blankToNull(config.getInitParameter("anonymousIdCookie")));
      String skip = config.getInitParameter("skipPaths");
      if (skip != null) {
        b.skipPaths(list(skip).toArray(String[]::new));
      }
      String bots = config.getInitParameter("botUserAgents");
      if (bots != null) {
        b.botUserAgents(list(bots).toArray(String[]::new));
      }
      PageViewFilter configured = b.build();
      this.trackside = configured.trackside;
      this.forwarded = configured.forwarded;
      this.anonymousIdCookie = configured.anonymousIdCookie;
      this.skipPaths = configured.skipPaths;
      this.botAgents = configured.botAgents;
    } catch (RuntimeException e) {
      if (ownsClient && trackside != null) {
        trackside.close();
      }
      // Fail at start-up, with the reason, rather than on the first request.
      throw new ServletException("Trackside PageViewFilter: " + e.getMessage(), e);
    }
  }

  private Trackside client(FilterConfig config) {
    String attribute = blankToNull(config.getInitParameter("clientAttribute"));
    if (attribute != null) {
      ServletContext context = config.getServletContext();
      if (!(context.getAttribute(attribute) instanceof Trackside client)) {
        throw new IllegalArgumentException("the servlet-context attribute '" + attribute + "' holds no Trackside client");
      }
      return client;
    }
    String endpoint = blankToNull(config.getInitParameter("endpoint"));
    String writeKey = blankToNull(config.getInitParameter("writeKey"));
    if (endpoint == null || writeKey == null) {
      throw new IllegalArgumentException("init parameters 'endpoint' and 'writeKey' (or 'clientAttribute') are required");
    }
    Trackside client = Trackside.builder(writeKey).endpoint(URI.create(endpoint)).build();
    this.trackside = client;
    this.ownsClient = true;
    return client;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
        || trackside == null || !candidate(request)) {
      chain.doFilter(req, res);
      return;
    }
    Instant at = Instant.now();
    String pageViewId = UUID.randomUUID().toString();
    request.setAttribute(PAGE_VIEW_ID, pageViewId);
    chain.doFilter(req, res); // an exception means no page was served: nothing is recorded
    if (request.isAsyncStarted()) {
      request.getAsyncContext().addListener(new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
          record(request, response, pageViewId, at);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
      });
      return;
    }
    record(request, response, pageViewId, at);
  }

  /** What can be decided before the application runs: a GET of a page by a person. */
  boolean candidate(HttpServletRequest request) {
    if (request.getDispatcherType() != DispatcherType.REQUEST || !"GET".equals(request.getMethod())) {
      return false;
    }
    String path = request.getRequestURI().substring(Math.min(request.getContextPath().length(), request.getRequestURI().length()));
    for (String skip : skipPaths) {
      if (path.equals(skip) || path.startsWith(skip.endsWith("/") ? skip : skip + "/")) {
        return false;
      }
    }
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    if (dot > slash && ASSET_EXTENSIONS.contains(path.substring(dot + 1).toLowerCase(Locale.ROOT))) {
      return false;
    }
    String userAgent = request.getHeader("User-Agent");
    if (userAgent == null || userAgent.isBlank()) {
      return false; // every browser sends one
    }
    String ua = userAgent.toLowerCase(Locale.ROOT);
    for (String bot : botAgents) {
      if (ua.contains(bot)) {
        return false;
      }
    }
    return true;
  }

  private void record(HttpServletRequest request, HttpServletResponse response, String pageViewId, Instant at) {
    try {
      int status = response.getStatus();
      String type = response.getContentType();
      if (status < 200 || status >= 300 || type == null || !isHtml(type)) {
        return;
      }
      trackside.enqueue(pageView(request, pageViewId, at));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Trackside: could not record a page view of " + request.getRequestURI(), e);
    }
  }

  private static boolean isHtml(String contentType) {
    String t = contentType.toLowerCase(Locale.ROOT).trim();
    return t.startsWith("text/html") || t.startsWith("application/xhtml+xml");
  }

  PageMessage.Builder pageView(HttpServletRequest request, String pageViewId, Instant at) {
    String query = request.getQueryString();
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("path", request.getRequestURI());
    page.put("referrer", nullToEmpty(request.getHeader("Referer")));
    page.put("search", query == null || query.isEmpty() ? "" : "?" + query);
    if (request.getAttribute(TITLE) instanceof String title && !title.isBlank()) {
      page.put("title", title);
    }
    page.put("url", forwarded.url(request));

    Map<String, Object> context = new LinkedHashMap<>();
    context.put("ip", forwarded.clientIp(request));
    context.put("userAgent", request.getHeader("User-Agent"));
    context.put("page", page);

    PageMessage.Builder event = PageMessage.builder().messageId(pageViewId).timestamp(at)
        .properties(page).context(context);
    if (request.getAttribute(USER_ID) instanceof String userId && !userId.isBlank()) {
      event.userId(userId);
    }
    String anonymousId = cookieId(request);
    if (anonymousId != null) {
      event.anonymousId(anonymousId);
    } else if (!(request.getAttribute(USER_ID) instanceof String u && !u.isBlank())) {
      event.cookieless();
    }
    return event;
  }

  /**
   * The configured cookie's value as an id. analytics.js writes {@code ajs_anonymous_id} as a
   * JSON string, URL-encoded ({@code %22…%22}); both forms are read.
   */
  private String cookieId(HttpServletRequest request) {
    if (anonymousIdCookie == null) {
      return null;
    }
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return null;
    }
    for (Cookie cookie : cookies) {
      if (anonymousIdCookie.equals(cookie.getName())) {
        String v = cookie.getValue();
        if (v == null) {
          return null;
        }
        if (v.indexOf('%') >= 0) {
          try {
            v = URLDecoder.decode(v, StandardCharsets.UTF_8);
          } catch (IllegalArgumentException e) {
            return null;
          }
        }
        v = v.trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        return v.isBlank() || v.length() > MAX_COOKIE_ID_LENGTH ? null : v;
      }
    }
    return null;
  }

  @Override
  public void destroy() {
    if (ownsClient && trackside != null) {
      trackside.close();
    }
  }

  private static List<String> list(String csv) {
    List<String> out = new ArrayList<>();
    for (String part : csv.split("[,\\s]+")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /** Settings of the filter; the defaults suit an application served directly, without proxies. */
  public static final class Builder {
    private final Trackside trackside;
    private final List<AddressRange> trustedProxies = new ArrayList<>();
    private String anonymousIdCookie;
    private List<String> skipPaths = DEFAULT_SKIP_PATHS;
    private List<String> botAgents = DEFAULT_BOT_AGENTS;

    private Builder(Trackside trackside) {
      if (trackside == null) {
        throw new IllegalArgumentException("a Trackside client is required");
      }
      this.trackside = trackside;
    }

    /**
     * Addresses or CIDR blocks ({@code 10.0.0.0/8}, {@code ::1}) of the proxies in front of the
     * application: only requests from them have their {@code Forwarded}/{@code X-Forwarded-*}
     * headers believed. None by default.
     */
    public Builder trustedProxies(String... addressesOrCidrs) {
      for (String a : addressesOrCidrs) {
        trustedProxies.add(AddressRange.parse(a));
      }
      return this;
    }

    /**
     * A first-party cookie holding the visitor's id (e.g. analytics.js's {@code ajs_anonymous_id}),
     * sent as anonymousId. Without one (or when the visitor has none yet) the page view is
     * cookieless: the server derives a daily visitor id from IP and User-Agent.
     */
    public Builder anonymousIdCookie(String cookieName) {
      this.anonymousIdCookie = cookieName;
      return this;
    }

    /** Path prefixes within the application never recorded; replaces the default /healthz, /readyz, /metrics, /actuator. */
    public Builder skipPaths(String... prefixes) {
      for (String p : prefixes) {
        if (!p.startsWith("/")) {
          throw new IllegalArgumentException("a skipped path starts with '/': '" + p + "'");
        }
      }
      this.skipPaths = List.copyOf(Arrays.asList(prefixes));
      return this;
    }

    /** User-Agent substrings (any case) that mark a bot; replaces the default short list. */
    public Builder botUserAgents(String... substrings) {
      this.botAgents = Arrays.stream(substrings).map(s -> s.toLowerCase(Locale.ROOT)).toList();
      return this;
    }

    public PageViewFilter build() {
      return new PageViewFilter(this);
    }
  }
}
