package io.trackside.example.shop;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.List;

/** {@code /checkout}: name and e-mail; the POST places the order. */
final class CheckoutServlet extends HttpServlet {
  private static final int MAX_FIELD = 200;

  private final Catalog catalog;
  private final Orders orders;
  private final Layout layout;
  private final Tracking tracking;

  CheckoutServlet(Catalog catalog, Orders orders, Layout layout, Tracking tracking) {
    this.catalog = catalog;
    this.orders = orders;
    this.layout = layout;
    this.tracking = tracking;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    List<CartLine> lines = Cart.of(req.getSession()).lines(catalog);
    if (lines.isEmpty()) {
      resp.setStatus(303);
      resp.setHeader("Location", "/cart");
      return;
    }
    form(req, resp, 200, lines, "", "", null);
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    req.setCharacterEncoding("UTF-8");
    HttpSession session = req.getSession();
    Cart cart = Cart.of(session);
    List<CartLine> lines = cart.lines(catalog);
    String name = trim(req.getParameter("name"));
    String email = trim(req.getParameter("email"));
    if (lines.isEmpty()) {
      resp.setStatus(303);
      resp.setHeader("Location", "/cart");
      return;
    }
    String problem = name.isEmpty() || name.length() > MAX_FIELD ? "Please give your name."
        : !plausibleEmail(email) ? "Please give an e-mail address we can send the receipt to." : null;
    if (problem != null) {
      form(req, resp, 400, lines, name, email, problem);
      return;
    }
    Order order = orders.place(session, name, email, lines);
    cart.clear();
    tracking.orderCompleted(Visitor.of(req), order);
    resp.setStatus(303);
    resp.setHeader("Location", "/orders/" + order.id());
  }

  private void form(HttpServletRequest req, HttpServletResponse resp, int status, List<CartLine> lines, String name,
      String email, String problem) throws IOException {
    StringBuilder body = new StringBuilder("<h1>Checkout</h1>");
    if (problem != null) {
      body.append("<p class=\"problem\">").append(Html.esc(problem)).append("</p>");
    }
    body.append("<p>").append(lines.stream().mapToInt(CartLine::quantity).sum()).append(" item(s), total <strong>")
        .append(Html.esc(Catalog.format(Cart.total(lines)))).append("</strong></p>")
        .append("<form id=\"checkout\" name=\"checkout\" method=\"post\" action=\"/checkout\">")
        .append("<label>Name <input id=\"name\" name=\"name\" autocomplete=\"name\" required value=\"")
        .append(Html.esc(name)).append("\"></label>")
        .append("<label>E-mail <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required value=\"")
        .append(Html.esc(email)).append("\"></label>")
        .append("<button id=\"place-order\" type=\"submit\">Place order</button></form>");
    layout.send(req, resp, status, "Checkout", body.toString());
  }

  private static String trim(String value) {
    return value == null ? "" : value.strip();
  }

  /** Enough to catch a typo; the receipt e-mail is the real check. */
  private static boolean plausibleEmail(String email) {
    int at = email.indexOf('@');
    return email.length() <= MAX_FIELD && at > 0 && at == email.lastIndexOf('@') && email.indexOf('.', at) > at + 1
        && !email.endsWith(".") && email.chars().noneMatch(Character::isWhitespace);
  }
}
