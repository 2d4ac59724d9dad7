package io.trackside.example.shop;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every visitor a first-party anonymous id cookie, so that the server-side page views, the
 * e-commerce events and the snippet's events of one shopper carry one id.
 *
 * <p>Runs before the {@code PageViewFilter}: on a visitor's first request the new cookie is
 * only in the response, so the request is wrapped to show it too — otherwise the first page
 * view would be recorded without the id.
 */
final class AnonymousIdFilter implements Filter {
  static final String COOKIE = "shop_aid";
  static final String ATTRIBUTE = "shop.anonymousId";
  private static final Pattern VALID = Pattern.compile("[0-9a-f-]{36}");
  private static final int MAX_AGE = (int) Duration.ofDays(365).toSeconds();

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    String id = existing(request);
    if (id == null) {
      id = UUID.randomUUID().toString();
      Cookie cookie = cookie(id);
      ((HttpServletResponse) res).addCookie(cookie);
      request = withCookie(request, cookie);
    }
    request.setAttribute(ATTRIBUTE, id);
    chain.doFilter(request, res);
  }

  /** The visitor's id; only our own format is taken, so it is safe to print anywhere. */
  static String existing(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies != null) {
      for (Cookie c : cookies) {
        if (COOKIE.equals(c.getName()) && VALID.matcher(c.getValue()).matches()) {
          return c.getValue();
        }
      }
    }
    return null;
  }

  private static Cookie cookie(String id) {
    Cookie cookie = new Cookie(COOKIE, id);
    cookie.setPath("/");
    cookie.setMaxAge(MAX_AGE);
    cookie.setHttpOnly(true); // the page prints the id where the snippet needs it
    cookie.setAttribute("SameSite", "Lax");
    return cookie;
  }

  private static HttpServletRequest withCookie(HttpServletRequest request, Cookie added) {
    return new HttpServletRequestWrapper(request) {
      @Override
      public Cookie[] getCookies() {
        Cookie[] cookies = super.getCookies();
        // Drop an invalid cookie of the same name, so no one reads it instead of ours.
        Cookie[] kept = cookies == null ? new Cookie[0]
            : Arrays.stream(cookies).filter(c -> !COOKIE.equals(c.getName())).toArray(Cookie[]::new);
        Cookie[] all = Arrays.copyOf(kept, kept.length + 1);
        all[kept.length] = added;
        return all;
      }
    };
  }
}
