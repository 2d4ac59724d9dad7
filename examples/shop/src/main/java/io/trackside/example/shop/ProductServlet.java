package io.trackside.example.shop;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/** {@code /products/{id}}: one product, with an add-to-cart form. */
final class ProductServlet extends HttpServlet {
  private final Catalog catalog;
  private final Layout layout;
  private final Tracking tracking;

  ProductServlet(Catalog catalog, Layout layout, Tracking tracking) {
    this.catalog = catalog;
    this.layout = layout;
    this.tracking = tracking;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String id = req.getPathInfo() == null ? "" : req.getPathInfo().substring(1);
    Optional<Product> found = catalog.find(id);
    if (found.isEmpty()) {
      layout.send(req, resp, 404, "Not found", "<h1>No such product</h1><p><a href=\"/\">All products</a></p>");
      return;
    }
    Product p = found.get();
    tracking.productViewed(Visitor.of(req), p);
    String body = "<h1>" + Html.esc(p.name()) + "</h1>"
        + "<p class=\"category\">" + Html.esc(p.category()) + "</p>"
        + "<p>" + Html.esc(p.description()) + "</p>"
        + "<p class=\"price\">" + Html.esc(Catalog.format(p.price())) + "</p>"
        + "<form id=\"add-to-cart\" name=\"add-to-cart\" method=\"post\" action=\"/cart/add\">"
        + "<input type=\"hidden\" name=\"product_id\" value=\"" + Html.esc(p.id()) + "\">"
        + "<label>Quantity <input id=\"quantity\" name=\"quantity\" type=\"number\" min=\"1\" max=\"" + Cart.MAX_QUANTITY
        + "\" value=\"1\"></label> <button id=\"add\" type=\"submit\">Add to cart</button></form>";
    layout.send(req, resp, 200, p.name(), body);
  }
}
