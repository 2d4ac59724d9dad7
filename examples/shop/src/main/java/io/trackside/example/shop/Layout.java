package io.trackside.example.shop;

import io.trackside.sdk.servlet.PageViewFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The frame of every page, with the Trackside snippet in it.
 *
 * <p>{@code data-pv} hands the snippet the id the {@code PageViewFilter} gave this request's
 * page view, so the browser's page view and the server's are one event in Trackside;
 * {@code data-aid} hands it the shop's own anonymous id, so the snippet's events and the
 * server's events of a shopper share one id (without it the snippet is cookieless). A site that
 * asks for consent first would set the cookie and pass the id only after it.
 */
final class Layout {
  private final String snippetUrl;
  private final String writeKey;

  Layout(String trackside, String writeKey) {
    this.snippetUrl = trackside.replaceAll("/+$", "") + "/static/site.js";
    this.writeKey = writeKey;
  }

  void send(HttpServletRequest request, HttpServletResponse response, int status, String title, String body)
      throws IOException {
    request.setAttribute(PageViewFilter.TITLE, title + " — Trackside Shop");
    Object pageViewId = request.getAttribute(PageViewFilter.PAGE_VIEW_ID);
    Object anonymousId = request.getAttribute(AnonymousIdFilter.ATTRIBUTE);
    StringBuilder html = new StringBuilder(2048);
    html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>").append(Html.esc(title)).append(" — Trackside Shop</title>")
        .append("<link rel=\"stylesheet\" href=\"/assets/shop.css\">");
    html.append("<script defer src=\"").append(Html.esc(snippetUrl)).append("\" data-key=\"").append(Html.esc(writeKey))
        .append('"');
    if (anonymousId != null) {
      html.append(" data-aid=\"").append(Html.esc(anonymousId)).append('"');
    }
    if (pageViewId != null) { // absent when the filter does not record this request (a bot, say)
      html.append(" data-pv=\"").append(Html.esc(pageViewId)).append('"');
    }
    html.append("></script></head><body><header><a class=\"brand\" href=\"/\">Trackside Shop</a>")
        .append("<nav><a id=\"nav-cart\" href=\"/cart\">Cart</a></nav></header><main>")
        .append(body)
        .append("</main><footer>An example shop. Prices in EUR, nothing is really sold. Questions? The ")
        .append("<a id=\"help\" href=\"https://www.example.org/help\">help centre</a>.</footer></body></html>\n");
    response.setStatus(status);
    response.setContentType("text/html; charset=utf-8");
    response.setHeader("Cache-Control", "no-store"); // a cart and an order are personal
    response.getWriter().write(html.toString());
  }
}
