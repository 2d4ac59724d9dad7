package io.trackside.example.shop;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** {@code /cart}, and the forms that change it: {@code POST /cart/add}, {@code POST /cart/remove}. */
final class CartServlet extends HttpServlet {
  private final Catalog catalog;
  private final Layout layout;
  private final Tracking tracking;

  CartServlet(Catalog catalog, Layout layout, Tracking tracking) {
    this.catalog = catalog;
    this.layout = layout;
    this.tracking = tracking;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (req.getPathInfo() != null && !req.getPathInfo().equals("/")) {
      resp.sendError(405);
      return;
    }
    List<CartLine> lines = Cart.of(req.getSession()).lines(catalog);
    StringBuilder body = new StringBuilder("<h1>Cart</h1>");
    if (lines.isEmpty()) {
      body.append("<p>Your cart is empty. <a href=\"/\">See the products</a>.</p>");
    } else {
      body.append("<table class=\"cart\"><tr><th>Product</th><th>Quantity</th><th>Total</th><th></th></tr>");
      for (CartLine line : lines) {
        String id = Html.esc(line.product().id());
        body.append("<tr><td><a href=\"/products/").append(id).append("\">").append(Html.esc(line.product().name()))
            .append("</a></td><td>").append(line.quantity()).append("</td><td>")
            .append(Html.esc(Catalog.format(line.total()))).append("</td><td>")
            .append("<form method=\"post\" action=\"/cart/remove\"><input type=\"hidden\" name=\"product_id\" value=\"")
            .append(id).append("\"><button type=\"submit\">Remove</button></form></td></tr>");
      }
      body.append("<tr><th colspan=\"2\">Total</th><th>").append(Html.esc(Catalog.format(Cart.total(lines))))
          .append("</th><th></th></tr></table><p><a id=\"to-checkout\" class=\"button\" href=\"/checkout\">Checkout</a></p>");
    }
    layout.send(req, resp, 200, "Cart", body.toString());
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    req.setCharacterEncoding("UTF-8");
    String action = req.getPathInfo() == null ? "" : req.getPathInfo();
    Optional<Product> product = catalog.find(String.valueOf(req.getParameter("product_id")));
    Cart cart = Cart.of(req.getSession());
    switch (action) {
      case "/add" -> {
        if (product.isEmpty()) {
          resp.sendError(400, "no such product");
          return;
        }
        int added = cart.add(product.get(), quantity(req.getParameter("quantity")));
        if (added > 0) {
          tracking.productAdded(Visitor.of(req), product.get(), added);
        }
      }
      case "/remove" -> product.ifPresent(p -> cart.remove(p.id()));
      default -> {
        resp.sendError(404);
        return;
      }
    }
    // Post/redirect/get: a reload of the cart does not add the product again.
    resp.setStatus(303);
    resp.setHeader("Location", "/cart");
  }

  private static int quantity(String text) {
    try {
      return Math.max(1, Math.min(Cart.MAX_QUANTITY, Integer.parseInt(text == null ? "1" : text.trim())));
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
