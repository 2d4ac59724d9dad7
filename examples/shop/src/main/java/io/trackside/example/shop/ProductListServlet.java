package io.trackside.example.shop;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code /}: every product. */
final class ProductListServlet extends HttpServlet {
  private final Catalog catalog;
  private final Layout layout;

  ProductListServlet(Catalog catalog, Layout layout) {
    this.catalog = catalog;
    this.layout = layout;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StringBuilder body = new StringBuilder("<h1>Products</h1><ul class=\"products\">");
    for (Product p : catalog.all()) {
      body.append("<li><a id=\"product-").append(Html.esc(p.id())).append("\" href=\"/products/")
          .append(Html.esc(p.id())).append("\">").append(Html.esc(p.name())).append("</a> <span class=\"price\">")
          .append(Html.esc(Catalog.format(p.price()))).append("</span></li>");
    }
    layout.send(req, resp, 200, "Products", body.append("</ul>").toString());
  }
}
