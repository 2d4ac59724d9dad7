package io.trackside.example.shop;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/** {@code /orders/{id}}: the confirmation, for the session that placed the order only. */
final class OrderServlet extends HttpServlet {
  private final Orders orders;
  private final Layout layout;

  OrderServlet(Orders orders, Layout layout) {
    this.orders = orders;
    this.layout = layout;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String id = req.getPathInfo() == null ? "" : req.getPathInfo().substring(1);
    Optional<Order> found = orders.find(req.getSession(false), id);
    if (found.isEmpty()) {
      layout.send(req, resp, 404, "Not found", "<h1>No such order</h1>");
      return;
    }
    Order order = found.get();
    StringBuilder body = new StringBuilder("<h1>Thank you, ").append(Html.esc(order.name())).append("</h1>")
        .append("<p>Order <strong id=\"order-id\">").append(Html.esc(order.id())).append("</strong> is placed; a receipt")
        .append(" goes to ").append(Html.esc(order.email())).append(".</p><ul>");
    for (CartLine line : order.lines()) {
      body.append("<li>").append(line.quantity()).append(" × ").append(Html.esc(line.product().name())).append(" — ")
          .append(Html.esc(Catalog.format(line.total()))).append("</li>");
    }
    body.append("</ul><p>Total <strong id=\"order-total\">").append(Html.esc(Catalog.format(order.total())))
        .append("</strong></p><p><a href=\"/\">Continue shopping</a></p>");
    layout.send(req, resp, 200, "Order " + order.id(), body.toString());
  }
}
